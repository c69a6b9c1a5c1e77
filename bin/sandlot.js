#!/usr/bin/env node
// Entry for `npx sandlot`: runs the esbuild bundle so start-up stays fast.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bin shim: require loads the cjs bundle synchronously
require('../dist/sandlot.js');
