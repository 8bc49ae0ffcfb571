#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so `npx evalwatch` works from a checkout
// without a build step. A published package would point here at dist/ instead.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
