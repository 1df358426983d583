#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import * as cdk from 'aws-cdk-lib';
import { DynamoToLambdaCdkStack } from '../lib/dynamo-to-lambda-cdk-stack';

const app = new cdk.App();
new DynamoToLambdaCdkStack(app, 'DynamoToLambdaCdkStack');
