import type { BuildOptions } from 'esbuild';

export declare const cliBundle: BuildOptions;
export declare const cliLean: BuildOptions;
export declare const cliLaunchers: BuildOptions;
export declare function removeStaleChunks(dir?: string): void;
