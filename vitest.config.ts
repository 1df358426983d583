import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Event schemas are imported by handlers as JSON, as esbuild bundles them (loader `.avsc: json`).
  plugins: [
    {
      name: 'avsc-as-json',
      transform(code: string, id: string) {
        return id.endsWith('.avsc') ? { code: `export default ${code};`, map: null } : undefined;
      },
    },
  ],
  test: {
    include: ['packages/*/test/**/*.test.ts', 'app/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Unit synths skip aws-cdk-lib's CloudFormation validation (about 3 s each); app/test/app.test.ts keeps one validated synth.
    env: {
      CDK_VALIDATION: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_SERVICE_NAME: 'conflux-test',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
