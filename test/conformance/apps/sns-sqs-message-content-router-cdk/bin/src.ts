#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import 'source-map-support/register';
import * as cdk from 'aws-cdk-lib';
import { SrcStack } from '../lib/src-stack';

const app = new cdk.App();
new SrcStack(app, 'cdk-stack-message-router', {

});
