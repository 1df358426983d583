#!/usr/bin/env node
// conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]
// conflux fire [<rule or schedule>]
// conflux region [<region> stop|start|partition|heal | settle | lag <ms> | rtt <ms>]
import process from 'node:process';
import { main } from '../dist/cli/cli.js';

process.exit(await main(process.argv.slice(2)));
