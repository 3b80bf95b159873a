#!/usr/bin/env node
// The h2wasm command line (bindings/cli, bundled into dist/cli.mjs by `npm run build`).
import { run } from '../dist/cli.mjs';

run();
