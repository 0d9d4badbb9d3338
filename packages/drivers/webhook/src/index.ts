export { createWebhookDriver } from './webhook-driver.js';
export type { WebhookDriverOptions } from './webhook-driver.js';
export { computeSignature, signatureHeader, verifySignature, SIGNATURE_HEADER, DELIVERY_HEADER, DEFAULT_TOLERANCE_SECONDS } from './signature.js';
export type { SignatureCheck } from './signature.js';
export { readTargetConfig, callbackUrlFor } from './target-config.js';
export type { WebhookTargetConfig } from './target-config.js';
export { API_VERSION, deliveryIdFor } from './delivery.js';
export type { DeliveryBody, Verb } from './delivery.js';
