#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import * as cdk from 'aws-cdk-lib';
import { S3ToLambdaCdkStack } from '../lib/s3-to-lambda-cdk-stack';

const app = new cdk.App();
new S3ToLambdaCdkStack(app, 'S3ToLambdaCdkStack');
