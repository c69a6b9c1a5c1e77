#!/usr/bin/env node
// Entry for `npx sandlot`: runs the esbuild bundle so start-up stays fast.
require('../dist/sandlot.js');
