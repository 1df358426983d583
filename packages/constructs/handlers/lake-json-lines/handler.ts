import { metrics } from '@conflux/handler-kit';
import { createFirehoseTransformer, jsonLinesTransform } from '@conflux/handler-kit/lake';

const transform = createFirehoseTransformer(jsonLinesTransform);

/** The delivery stream's name, the last part of its ARN (`…:deliverystream/<name>`). */
function streamName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * The `'json-lines'` transform of a RawZone source: each record that is one JSON value becomes that value,
 * compacted, with `\n` appended; an empty record (a change-capture tombstone) is `Dropped`; anything else is
 * `ProcessingFailed` with the reason, so Firehose writes it to the source's `errors/…/processing-failed/`.
 *
 * It publishes `RecordsProcessingFailed` per delivery stream (dimension `DeliveryStreamName`): the
 * RawZone source's alarm, since Firehose's own metrics count failed invocations, not failed records.
 */
export const handler = async (
  ...args: Parameters<typeof transform>
): Promise<Awaited<ReturnType<typeof transform>>> => {
  const result = await transform(...args);
  const failed = result.records.filter((r) => r.result === 'ProcessingFailed').length;
  const single = metrics.singleMetric();
  single.addDimension('DeliveryStreamName', streamName(args[0].deliveryStreamArn));
  single.addMetric('RecordsProcessingFailed', 'Count', failed);
  return result;
};
