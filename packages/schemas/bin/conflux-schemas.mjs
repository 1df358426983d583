#!/usr/bin/env node
// conflux-schemas [--dir <schemas folder>]: checks an Avro schema folder's compatibility rules.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { runSchemasCheck } from '../dist/index.js';

const { values } = parseArgs({ options: { dir: { type: 'string', default: 'schemas' } } });
process.exitCode = runSchemasCheck(values.dir);
