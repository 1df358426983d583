#!/usr/bin/env -S npx tsx
/**
 * `conflux local [--app "<command>" | --cdk-out <dir>] [--port N]`: runs a synthesized CDK application
 * offline. `npm start` runs it for the reference application.
 */
import './cli.js';
