#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { buildConfluxApp } from '../app';

const app = new App();
buildConfluxApp(app);
app.synth();
