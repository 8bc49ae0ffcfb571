/**
 * English word lists and sentence templates of "Acme Ledger", the invoicing SaaS the demo traffic
 * comes from. Templates use `{slot}` placeholders filled from `EN_SLOTS`; `{Object}` is the
 * capitalized form of `{object}`.
 */

/** A thing a user asks about, with the intent the router should assign to it. */
export interface Topic {
  readonly object: string;
  readonly intent: Intent;
}

/** The intent labels the demo's router answers with. */
export type Intent = (typeof INTENTS)[number];

const INTENTS = [
  'billing.refund',
  'billing.invoice',
  'billing.payment_status',
  'auth.sso',
  'auth.api_key',
  'integrations.webhook',
  'integrations.sync',
  'data.export',
  'account.roles',
  'account.plan',
  'other',
] as const;

export const EN_TOPICS: readonly Topic[] = [
  { object: 'an invoice', intent: 'billing.invoice' },
  { object: 'recurring invoices', intent: 'billing.invoice' },
  { object: 'a credit note', intent: 'billing.refund' },
  { object: 'a refund', intent: 'billing.refund' },
  { object: 'a payment link', intent: 'billing.payment_status' },
  { object: 'the bank feed', intent: 'integrations.sync' },
  { object: 'my API key', intent: 'auth.api_key' },
  { object: 'the webhook signing secret', intent: 'integrations.webhook' },
  { object: 'webhook deliveries', intent: 'integrations.webhook' },
  { object: 'the SAML SSO settings', intent: 'auth.sso' },
  { object: 'tax rates', intent: 'billing.invoice' },
  { object: 'a customer record', intent: 'other' },
  { object: 'the monthly revenue report', intent: 'data.export' },
  { object: 'the audit log', intent: 'data.export' },
  { object: 'user roles', intent: 'account.roles' },
  { object: 'a purchase order', intent: 'billing.invoice' },
  { object: 'expense receipts', intent: 'other' },
  { object: 'the chart of accounts', intent: 'other' },
  { object: 'the Salesforce sync', intent: 'integrations.sync' },
  { object: 'our subscription plan', intent: 'account.plan' },
];

export const EN_SLOTS: Readonly<Record<string, readonly string[]>> = {
  action: [
    'export', 'rotate', 'delete', 'rename', 'merge', 'schedule', 'approve', 'void', 'reissue', 'archive',
    'duplicate', 'reconcile', 'share', 'restore', 'update',
  ],
  past: ['exported', 'recalculated', 'archived', 'synchronized', 'backed up', 'reconciled'],
  problem: [
    'stuck in pending', 'showing the wrong currency', 'failing with error 403', 'missing from the dashboard',
    'duplicated', 'not syncing to Salesforce', 'rejected by the bank', 'timing out', 'rounded incorrectly',
    'sent twice to the customer', 'not visible to my accountant',
  ],
  place: [
    'the mobile app', 'the REST API', 'the admin console', 'a CSV import', 'the Slack integration',
    'the customer portal', 'the QuickBooks connector',
  ],
  event: [
    'downgrade my plan', 'remove a user', 'change the billing currency', 'close the fiscal year',
    'switch to annual billing', 'move to the EU data region', 'disable SSO',
  ],
  scope: ['all workspaces', 'a single client', 'the EU region', 'sub-accounts', 'last quarter', 'every open invoice'],
  menu: ['Settings', 'Billing', 'Developers', 'Integrations', 'Security', 'Reports', 'Customers', 'Accounting'],
  submenu: [
    'API keys', 'Webhooks', 'Single sign-on', 'Tax', 'Exports', 'Roles and permissions', 'Payment methods',
    'Audit log', 'Currencies', 'Numbering',
  ],
  button: ['Rotate', 'Export', 'Save changes', 'Void invoice', 'Issue credit note', 'Reconnect', 'Send test event', 'Download CSV'],
  role: ['Owner', 'Admin', 'Accountant', 'Billing manager', 'Viewer'],
  minutes: ['two', 'five', 'ten', 'fifteen', 'thirty'],
  plan: ['Starter', 'Business', 'Enterprise'],
  status: [
    'waiting on the customer', 'resolved after the key was rotated', 'escalated to engineering',
    'pending a fix in the next release', 'resolved with a workaround',
  ],
};

/** A user's question; `{object}` is the topic. */
export const EN_QUESTIONS: readonly string[] = [
  'How do I {action} {object}?',
  'Why is {object} {problem}?',
  'Can I {action} {object} from {place}?',
  'What happens to {object} when I {event}?',
  'Is there a way to {action} {object} for {scope}?',
  '{Object} has been {problem} since this morning. What should I check?',
  'Our finance team needs to {action} {object} before month end. Where is that option?',
  'Who in our workspace is allowed to {action} {object}?',
  'I tried to {action} {object} in {place} and nothing happened. Is this a known issue?',
  'hi, quick one: how can we {action} {object} for {scope}? thanks',
];

/** A sentence of an assistant's answer or of a knowledge-base article. */
export const EN_ANSWERS: readonly string[] = [
  'You can {action} {object} from {menu} > {submenu}.',
  'Open {menu} > {submenu} and click {button}.',
  'Only users with the {role} role can {action} {object}.',
  'Changes to {object} take effect within {minutes} minutes.',
  'If {object} is {problem}, check that the connection in {menu} > {submenu} is still authorized.',
  'The same action is available through {place}, with the same permissions as the web app.',
  'Note that {object} cannot be changed once it has been sent to a customer.',
  'Existing data is kept when you {event}; only new activity is affected.',
  'For {scope}, repeat these steps in each workspace or use the bulk action in {menu}.',
  'If the problem persists, contact support and include the request ID shown in the error.',
  '{Object} is {past} automatically every night at 02:00 UTC.',
  'Before you {action} {object}, make sure nobody else is editing it.',
  'You will receive an email confirmation once the operation completes.',
  'The audit log records who changed {object} and when.',
  '{Object} is available on the {plan} and Enterprise plans.',
];

/** Extra sentences that only appear in knowledge-base articles (the RAG context). */
export const EN_DOC_ONLY: readonly string[] = [
  'Rate limits for {place} are 100 requests per minute per workspace.',
  'Deleting {object} is permanent and cannot be undone.',
  'Webhook deliveries are retried with exponential backoff for up to 72 hours.',
  'Exports larger than 50,000 rows are delivered by email as a ZIP archive.',
  'Workspaces in the EU data region store {object} in Frankfurt only.',
  'Admins can restrict who may {action} {object} under {menu} > {submenu}.',
];

export const EN_DOC_TITLES: readonly string[] = [
  'How to {action} {object}',
  'Troubleshooting: {object} {problem}',
  '{Object} in {place}',
  'What happens when you {event}',
];

export const PEOPLE: readonly string[] = [
  'Maria Garcia', 'James Smith', 'Anna Müller', 'Yuki Tanaka', 'Olga Ivanova', 'Omar Haddad', 'Priya Patel',
  'Lucas Martin', 'Chen Wei', 'Sophie Dubois', 'David Cohen', 'Fatima Al-Sayed',
];

export const ORGS: readonly string[] = [
  'Globex Corporation', 'Initech GmbH', 'Umbrella Logistics', 'Hooli EU', 'Vandelay Industries',
  'Stark Industries', 'Wayne Enterprises', 'Soylent Foods', 'Tyrell Corp', 'Aperture Labs',
];

export const CURRENCIES: readonly string[] = ['€', '$', '£', 'CHF '];

export const MONTHS: readonly string[] = [
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December',
];
