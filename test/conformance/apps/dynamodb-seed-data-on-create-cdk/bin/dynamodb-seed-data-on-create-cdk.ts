#!/usr/bin/env node
// @ts-nocheck -- third-party app code, type-checked by its own tsconfig.json (see SOURCE.md)
import 'source-map-support/register';
import * as cdk from 'aws-cdk-lib';
import { DynamodbSeedDataOnCreateCdkStack } from '../lib/dynamodb-seed-data-on-create-cdk-stack';

const app = new cdk.App();
new DynamodbSeedDataOnCreateCdkStack(app, 'DynamodbSeedDataOnCreateCdkStack');
