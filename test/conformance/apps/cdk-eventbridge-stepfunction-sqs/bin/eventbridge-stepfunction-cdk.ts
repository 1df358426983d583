#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import { App } from 'aws-cdk-lib';
import { EventBridgeCDKStateMachineStack } from '../lib/eventbridge-stepfunction-sqs-stack';

const app = new App();

new EventBridgeCDKStateMachineStack(app, 'EventBridgeCDKStateMachineStack', {});

