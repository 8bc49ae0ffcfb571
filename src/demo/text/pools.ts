import {
  CURRENCIES,
  EN_ANSWERS,
  EN_DOC_ONLY,
  EN_DOC_TITLES,
  EN_QUESTIONS,
  EN_SLOTS,
  EN_TOPICS,
  MONTHS,
  ORGS,
  PEOPLE,
  type Topic,
} from '../lexicon/en.ts';
import { EMAIL_PHRASES, I18N_ANSWERS, I18N_QUESTIONS } from '../lexicon/i18n.ts';
import { LANGUAGES, type Language } from '../languages.ts';
import { SeqRng } from '../random.ts';
import { tokenCost } from '../tokens.ts';

/** A piece of text with its (unrounded) token cost, computed once. */
export interface Sentence {
  readonly text: string;
  readonly cost: number;
}

/** A user question and the intent a correct router assigns to it. */
export interface Question extends Sentence {
  readonly intent: string;
}

/** A knowledge-base chunk as the retriever returns it (`context` entries). */
export interface Doc extends Sentence {
  readonly id: string;
  /** `[KB-1234] Title`, what short mode puts into `context`. */
  readonly header: string;
}

/** An entity the extractor should find. */
export interface Entity {
  readonly type: 'ORG' | 'PERSON' | 'AMOUNT' | 'DATE' | 'INVOICE_ID';
  readonly text: string;
}

/** An e-mail line that mentions entities. */
export interface EmailLine extends Sentence {
  readonly entities: readonly Entity[];
  /** The entities as the extractor's JSON array items, comma-separated, and their token cost. */
  readonly json: string;
  readonly jsonCost: number;
}

/** Pre-rendered text that record building picks from, so the hot loop only concatenates. */
export interface TextPools {
  readonly questions: Readonly<Record<Language, readonly Question[]>>;
  readonly answers: Readonly<Record<Language, readonly Sentence[]>>;
  readonly docs: readonly Doc[];
  /** `Hi {person},` lines. */
  readonly greetings: Readonly<Record<Language, readonly EmailLine[]>>;
  /** Invoice lines (invoice number, amount, due date). */
  readonly invoiceLines: Readonly<Record<Language, readonly EmailLine[]>>;
  /** Closing, sender and organization. */
  readonly signatures: Readonly<Record<Language, readonly EmailLine[]>>;
}

/** How large the English pools are; variety grows with them, and so does set-up time. */
const EN_QUESTION_POOL = 400;
const EN_ANSWER_POOL = 600;
const DOC_POOL = 120;
const INVOICE_POOL = 300;
const SIGNATURE_POOL = 60;

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Fills `{slot}` placeholders from `EN_SLOTS`; `{object}`/`{Object}` come from the topic.
 *
 * @example
 * fillTemplate('How do I {action} {object}?', rng, { object: 'an invoice', intent: 'billing.invoice' });
 */
export function fillTemplate(template: string, rng: SeqRng, topic: Topic): string {
  return template.replace(/\{(\w+)\}/g, (_m, slot: string) => {
    if (slot === 'object') return topic.object;
    if (slot === 'Object') return capitalize(topic.object);
    const options = EN_SLOTS[slot];
    return options ? rng.pick(options) : slot;
  });
}

const sentence = (text: string): Sentence => ({ text, cost: tokenCost(text) });

function emailLine(text: string, entities: Entity[]): EmailLine {
  const json = entities.map((e) => JSON.stringify({ type: e.type, text: e.text })).join(',');
  return { ...sentence(text), entities, json, jsonCost: tokenCost(json) };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const fillValues = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? k);

function invoiceLine(rng: SeqRng, language: Language): EmailLine {
  const inv = `INV-${2025 + rng.int(2)}-${pad(rng.int(10_000), 4)}`;
  const value = (rng.between(40, 250_000) / 10).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const amount = `${rng.pick(CURRENCIES)}${value}`;
  const month = rng.int(12);
  const day = rng.between(1, 28);
  const date = language === 'en' ? `${day} ${MONTHS[month]} 2026` : `2026-${pad(month + 1, 2)}-${pad(day, 2)}`;
  const entities: Entity[] = [
    { type: 'INVOICE_ID', text: inv },
    { type: 'AMOUNT', text: amount },
    { type: 'DATE', text: date },
  ];
  return emailLine(fillValues(EMAIL_PHRASES[language].invoice, { inv, amount, date }), entities);
}

/**
 * Builds the text pools for one seed. Takes a few milliseconds; a generator builds them once.
 *
 * @example
 * const pools = buildPools(42);
 * pools.questions.es[0]?.text; // '¿Cómo puedo anular una factura que ya fue enviada?'
 */
export function buildPools(seed: number): TextPools {
  const rng = new SeqRng(seed ^ 0x5eed7e47);
  const questions = {} as Record<Language, Question[]>;
  const answers = {} as Record<Language, Sentence[]>;
  for (const lang of LANGUAGES) {
    if (lang === 'en') continue;
    questions[lang] = I18N_QUESTIONS.map((q) => ({ ...sentence(q.text[lang]), intent: q.intent }));
    answers[lang] = I18N_ANSWERS[lang].map(sentence);
  }
  questions.en = Array.from({ length: EN_QUESTION_POOL }, () => {
    const topic = rng.pick(EN_TOPICS);
    return { ...sentence(fillTemplate(rng.pick(EN_QUESTIONS), rng, topic)), intent: topic.intent };
  });
  answers.en = Array.from({ length: EN_ANSWER_POOL }, () =>
    sentence(fillTemplate(rng.pick(EN_ANSWERS), rng, rng.pick(EN_TOPICS))),
  );
  const docTemplates = [...EN_ANSWERS, ...EN_DOC_ONLY];
  const docs = Array.from({ length: DOC_POOL }, (_, i): Doc => {
    const topic = rng.pick(EN_TOPICS);
    const id = `KB-${1000 + i}`;
    const title = capitalize(fillTemplate(rng.pick(EN_DOC_TITLES), rng, topic));
    const body: string[] = [];
    for (let n = rng.between(14, 26); n > 0; n--) {
      // Mostly about the article's own topic, as a real KB chunk is.
      body.push(fillTemplate(rng.pick(docTemplates), rng, rng.next() < 0.7 ? topic : rng.pick(EN_TOPICS)));
    }
    const header = `[${id}] ${title}`;
    return { id, header, ...sentence(`${header}\n${body.join(' ')}`) };
  });
  const greetings = {} as Record<Language, EmailLine[]>;
  const invoiceLines = {} as Record<Language, EmailLine[]>;
  const signatures = {} as Record<Language, EmailLine[]>;
  for (const lang of LANGUAGES) {
    const phrases = EMAIL_PHRASES[lang];
    greetings[lang] = PEOPLE.map((person) => emailLine(fillValues(phrases.greeting, { person }), [{ type: 'PERSON', text: person }]));
    invoiceLines[lang] = Array.from({ length: INVOICE_POOL }, () => invoiceLine(rng, lang));
    signatures[lang] = Array.from({ length: SIGNATURE_POOL }, () => {
      const person = rng.pick(PEOPLE);
      const org = rng.pick(ORGS);
      return emailLine(`${phrases.closing}\n${person}\n${org}`, [
        { type: 'PERSON', text: person },
        { type: 'ORG', text: org },
      ]);
    });
  }
  return { questions, answers, docs, greetings, invoiceLines, signatures };
}
