#!/usr/bin/env node
// conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]
import '../dist/cli/main.js';
