export { CHATBOT_LIMITS, chatbotMessage, type ChatbotNotification } from './chatbot-message.js';
export { deliverTo } from './deliver.js';
export { EMAIL_LIMITS, emailBody, emailSubject } from './email-message.js';
export { NotificationPublishError } from './errors.js';
export { notifiedFindings, selectNotifications } from './select-notifications.js';
export { ATTRIBUTE_NAMES, SNS_LIMITS, chunkMessages, messageBytes, snsMessage, type ProtocolMessages, type SnsMessage } from './sns-message.js';
export { SnsNotifier, type SnsNotifierOptions } from './sns-notifier.js';
export {
  DEFAULT_NOTIFY_POLICY,
  TRANSITIONS,
  type Notification,
  type NotifiedServer,
  type Notifier,
  type NotifyPolicy,
  type Transition,
} from './types.js';
