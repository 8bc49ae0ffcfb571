/**
 * Slack's Block Kit and message limits (api.slack.com/reference/block-kit, chat.postMessage).
 * A payload over any of them is rejected (`invalid_blocks`, `msg_too_long`,
 * `msg_blocks_too_long`) and the alert would be lost, so every payload is checked before sending.
 */
export const SLACK_LIMITS = Object.freeze({
  /** Blocks in one message. */
  blocks: 50,
  /** `text` of a section block. */
  sectionText: 3000,
  /** `fields` of a section block… */
  sectionFields: 10,
  /** …each at most this long. */
  fieldText: 2000,
  /** plain_text of a header block. */
  headerText: 150,
  /** Elements of a context block. */
  contextElements: 10,
  /** Any text object (context elements included). */
  textObject: 3000,
  /** Elements of an actions block. */
  actionsElements: 25,
  /** Button label. */
  buttonText: 75,
  /** Button URL. */
  buttonUrl: 3000,
  /** Button value. */
  buttonValue: 2000,
  /** `action_id` of an element and `block_id` of a block. */
  id: 255,
  /**
   * Sum of the characters of all block texts. Undocumented: Slack answers `msg_blocks_too_long`
   * from about 13,000 (slackapi/bolt-js#2509); we keep a margin.
   */
  blocksTotalText: 12_000,
  /** Top-level `text`: Slack truncates beyond 40,000; notifications show far less. We keep 3,000. */
  messageText: 3000,
});

export interface LimitProblem {
  /** JSON path, e.g. `blocks[3].text.text`. */
  readonly path: string;
  readonly limit: number;
  readonly actual: number;
  readonly what: string;
}

type Json = Record<string, unknown>;

/**
 * Every limit a message breaks; empty when Slack will accept it.
 *
 * @example
 * const problems = checkMessage({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'a'.repeat(200) } }] });
 * problems[0]?.what; // 'header text'
 */
export function checkMessage(message: { text?: string; blocks?: readonly unknown[] }): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const over = (path: string, what: string, actual: number, limit: number) => {
    if (actual > limit) problems.push({ path, what, actual, limit });
  };
  over('text', 'message text', message.text?.length ?? 0, SLACK_LIMITS.messageText);
  const blocks = (message.blocks ?? []) as Json[];
  over('blocks', 'blocks', blocks.length, SLACK_LIMITS.blocks);
  let total = 0;
  const textOf = (o: unknown): string => (o && typeof o === 'object' && typeof (o as Json).text === 'string' ? ((o as Json).text as string) : '');
  blocks.forEach((b, i) => {
    const p = `blocks[${i}]`;
    if (typeof b.block_id === 'string') over(`${p}.block_id`, 'block_id', b.block_id.length, SLACK_LIMITS.id);
    switch (b.type) {
      case 'header': {
        const t = textOf(b.text);
        over(`${p}.text.text`, 'header text', t.length, SLACK_LIMITS.headerText);
        total += t.length;
        break;
      }
      case 'section': {
        const t = textOf(b.text);
        over(`${p}.text.text`, 'section text', t.length, SLACK_LIMITS.sectionText);
        total += t.length;
        const fields = Array.isArray(b.fields) ? b.fields : [];
        over(`${p}.fields`, 'section fields', fields.length, SLACK_LIMITS.sectionFields);
        fields.forEach((f, j) => {
          const ft = textOf(f);
          over(`${p}.fields[${j}].text`, 'field text', ft.length, SLACK_LIMITS.fieldText);
          total += ft.length;
        });
        if (!t && fields.length === 0) problems.push({ path: p, what: 'section without text or fields', actual: 0, limit: 1 });
        break;
      }
      case 'context': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        over(`${p}.elements`, 'context elements', els.length, SLACK_LIMITS.contextElements);
        els.forEach((e, j) => {
          const t = textOf(e);
          over(`${p}.elements[${j}].text`, 'context text', t.length, SLACK_LIMITS.textObject);
          total += t.length;
        });
        break;
      }
      case 'actions': {
        const els = Array.isArray(b.elements) ? (b.elements as Json[]) : [];
        over(`${p}.elements`, 'actions elements', els.length, SLACK_LIMITS.actionsElements);
        els.forEach((e, j) => {
          const q = `${p}.elements[${j}]`;
          const t = textOf(e.text);
          over(`${q}.text.text`, 'button text', t.length, SLACK_LIMITS.buttonText);
          total += t.length;
          if (typeof e.url === 'string') over(`${q}.url`, 'button url', e.url.length, SLACK_LIMITS.buttonUrl);
          if (typeof e.value === 'string') over(`${q}.value`, 'button value', e.value.length, SLACK_LIMITS.buttonValue);
          if (typeof e.action_id === 'string') over(`${q}.action_id`, 'action_id', e.action_id.length, SLACK_LIMITS.id);
        });
        break;
      }
      default:
        break;
    }
  });
  over('blocks', 'total block text', total, SLACK_LIMITS.blocksTotalText);
  return problems;
}

/**
 * Characters a block counts toward {@link SLACK_LIMITS.blocksTotalText}.
 *
 * @example
 * blockTextLength({ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }); // 2
 */
export function blockTextLength(block: unknown): number {
  const b = block as Json;
  const t = (o: unknown) => (o && typeof o === 'object' && typeof (o as Json).text === 'string' ? ((o as Json).text as string).length : 0);
  let n = t(b.text);
  for (const f of Array.isArray(b.fields) ? b.fields : []) n += t(f);
  for (const e of Array.isArray(b.elements) ? (b.elements as Json[]) : []) n += t(e) + t(e.text);
  return n;
}

/**
 * Splits blocks into messages that each fit: the first is the main message, the rest go to its
 * thread. Blocks are never reordered; each must already fit on its own (the builders truncate).
 *
 * @example
 * const [main, ...thread] = paginateBlocks(blocks);
 */
export function paginateBlocks(blocks: readonly unknown[], maxBlocks: number = SLACK_LIMITS.blocks, maxText: number = SLACK_LIMITS.blocksTotalText): unknown[][] {
  const pages: unknown[][] = [];
  let page: unknown[] = [];
  let chars = 0;
  for (const b of blocks) {
    const n = blockTextLength(b);
    if (page.length > 0 && (page.length + 1 > maxBlocks || chars + n > maxText)) {
      pages.push(page);
      page = [];
      chars = 0;
    }
    page.push(b);
    chars += n;
  }
  if (page.length) pages.push(page);
  return pages;
}
