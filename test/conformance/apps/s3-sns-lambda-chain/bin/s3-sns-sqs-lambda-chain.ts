#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import { App } from 'aws-cdk-lib';
import S3SnsSqsLambdaChainStack from '../lib/s3-sns-sqs-lambda-chain-stack';

const app = new App();
new S3SnsSqsLambdaChainStack(app, 'S3SnsSqsLambdaChain');
