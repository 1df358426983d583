/**
 * `conflux local [--app "<command>" | --cdk-out <dir>] [--port N] [--seed <file.json>]`: runs a CDK
 * application offline from the folder of its `cdk.json` (see `cli.ts`). `npm start` runs it for the
 * reference application. `conflux fire` and `conflux region` talk to the runtime running from that folder.
 */
import { main } from './cli.js';

process.exit(await main(process.argv.slice(2)));
