import type { Command } from 'commander';
import * as demo from './demo.ts';
import * as doctor from './doctor.ts';
import * as golden from './golden.ts';
import * as report from './report.ts';
import * as run from './run.ts';
import * as silence from './silence.ts';
import * as worker from './worker.ts';

/** A CLI command: registers itself on the program. */
export interface CommandModule {
  register(program: Command): void;
}

/** Every command, in the order `--help` lists them. */
export const commandModules: CommandModule[] = [run, golden, worker, doctor, demo, report, silence];
