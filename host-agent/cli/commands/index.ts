// Every CLI command group, registered in this order. A new command group adds one line.
import type { Command } from 'commander';
import * as agent from './agent';
import * as content from './content';
import * as doctor from './doctor';
import * as images from './images';
import * as manifest from './manifest';
import * as mcp from './mcp';
import * as playgrounds from './playgrounds';
import * as snapshots from './snapshots';
import * as ssh from './ssh';
import * as tasks from './tasks';

export const COMMAND_GROUPS: { register(program: Command, version: string): void }[] = [
  agent,
  playgrounds,
  snapshots,
  manifest,
  ssh,
  content,
  tasks,
  images,
  doctor,
  mcp,
];
