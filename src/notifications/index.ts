export { isNotifiable, slackPayload } from './messages.js';
export {
  type DeliveryReport,
  deliver,
  parseWebhook,
  sinkLabel,
  sinkName,
  type WebhookSink,
} from './webhooks.js';
