// Every CLI command group, registered in this order. A new command group adds one line.
import type { Command } from 'commander';
import * as agent from './agent';
import * as playgrounds from './playgrounds';
import * as ssh from './ssh';

export const COMMAND_GROUPS: { register(program: Command, version: string): void }[] = [agent, playgrounds, ssh];
