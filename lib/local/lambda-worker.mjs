// Runs one Lambda function's bundled code in a worker thread: the module is loaded once (the cold start),
// then each message from the host is one invocation with a Lambda context.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { entryFile, exportName, functionName, functionArn, memorySize, logGroupName, logStreamName } =
  workerData;

function errorPayload(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}

let handler;
let initError;
try {
  const mod = entryFile.endsWith('.mjs')
    ? await import(pathToFileURL(entryFile).href)
    : createRequire(entryFile)(entryFile);
  handler = mod[exportName];
  if (typeof handler !== 'function') {
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${entryFile}.${exportName} is undefined or not exported`,
      trace: [],
    };
  }
} catch (error) {
  initError = { ...errorPayload(error, 'Runtime.ImportModuleError'), errorType: 'Runtime.ImportModuleError' };
}

parentPort.on('message', async ({ id, event, deadline, requestId }) => {
  if (initError) {
    parentPort.postMessage({ id, error: initError });
    return;
  }
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result =
      handler.length >= 3
        ? await new Promise((resolve, reject) => {
            const maybe = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
            if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
          })
        : await handler(event, context);
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    parentPort.postMessage({ id, error: errorPayload(error, 'Error') });
  }
});
