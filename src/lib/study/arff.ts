/**
 * A small streaming ARFF reader for VOC screenings: headers of thousands of `@attribute` lines
 * (numeric, string, date, nominal; quoted names), `%` comments, `?` missing values, dense and
 * sparse `{index value}` rows. Files of tens of MB are read chunk by chunk and only the columns the
 * caller selects are kept; every numeric field is still checked, so a bad file is refused whole.
 * No maintained npm ARFF reader exists, hence this one.
 */
import { StudyInputError } from './inputError';

export type ArffType = 'numeric' | 'string' | 'date' | 'nominal';

export interface ArffAttribute {
  name: string;
  type: ArffType;
  /** 1-based line of its `@attribute` declaration. */
  line: number;
}

export interface ArffHeader {
  relation: string;
  attributes: ArffAttribute[];
}

export interface ArffColumns {
  header: ArffHeader;
  /** Attribute indices kept, as the selector returned them. */
  selected: number[];
  rows: number;
  /** One array per selected attribute, NaN for `?`. */
  values: Float64Array[];
}

export type ArffSource = string | Blob | ReadableStream<Uint8Array>;

/** Yields the lines of a text source, decoding a byte stream chunk by chunk. */
async function* linesOf(source: ArffSource): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield* source.split(/\r?\n/);
    return;
  }
  const stream = source instanceof ReadableStream ? source : source.stream();
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
    const lines = rest.split(/\r?\n/);
    rest = lines.pop()!;
    yield* lines;
    if (done) break;
  }
  yield rest;
}

/** Splits a data row or value list on commas, honouring single and double quotes. */
function splitFields(text: string, fail: (reason: string) => never): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  // Past the last quote, a plain split is several times faster than walking field by field.
  const lastQuote = Math.max(text.lastIndexOf("'"), text.lastIndexOf('"'));
  for (;;) {
    if (i > lastQuote) {
      // Untrimmed: Number() ignores the spaces, and the rare `?` with spaces is trimmed later.
      return out.concat(text.slice(i).split(','));
    }
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let field: string;
    const q = text[i];
    if (q === "'" || q === '"') {
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== q) {
        if (text[j] === '\\' && j + 1 < n) j++;
        value += text[j++];
      }
      if (j >= n) fail('a quoted value is not closed.');
      field = value;
      i = j + 1;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      field = text.slice(i, end).trim();
      i = end;
    }
    out.push(field);
    if (i >= n) return out;
    if (text[i] !== ',') fail(`unexpected “${text[i]}” after a quoted value.`);
    i++;
  }
}

function parseAttribute(rest: string, fail: (reason: string) => never): [string, ArffType] {
  let name: string;
  let i: number;
  const q = rest[0];
  if (q === "'" || q === '"') {
    const end = rest.indexOf(q, 1);
    if (end < 0) fail('the attribute name’s quote is not closed.');
    name = rest.slice(1, end);
    i = end + 1;
  } else {
    const m = /^\S+/.exec(rest);
    if (!m) fail('the attribute has no name.');
    name = m[0];
    i = m[0].length;
  }
  const typeText = rest.slice(i).trim();
  if (typeText.startsWith('{')) return [name, 'nominal'];
  const word = typeText.split(/\s+/)[0].toLowerCase();
  if (word === 'numeric' || word === 'real' || word === 'integer') return [name, 'numeric'];
  if (word === 'string') return [name, 'string'];
  if (word === 'date') return [name, 'date'];
  if (word === '') fail(`attribute “${name}” has no type.`);
  fail(`attribute “${name}” has type “${word}”, which is not supported.`);
}

/**
 * Reads an ARFF file, keeping the attributes `select` picks from the header. Any malformed line
 * throws a StudyInputError naming the file, the line and the reason.
 */
export async function readArffColumns(
  source: ArffSource,
  fileName: string,
  select: (header: ArffHeader) => number[],
): Promise<ArffColumns> {
  const header: ArffHeader = { relation: '', attributes: [] };
  let lineNo = 0;
  const fail: (reason: string) => never = (reason) => {
    throw new StudyInputError(fileName, lineNo, reason);
  };
  let inData = false;
  let selected: number[] = [];
  let slot = new Int32Array(0);
  let numeric: boolean[] = [];
  const values: number[][] = [];
  let rows = 0;
  let sawAnything = false;

  const parseValue = (attr: number, raw: string): number => {
    if (!numeric[attr]) return NaN;
    const v = Number(raw);
    if (Number.isFinite(v) && (v !== 0 || raw.trim() !== '')) return v;
    const field = raw.trim();
    if (field === '?') return NaN;
    return fail(
      `attribute “${header.attributes[attr].name}” holds “${field}”, which is not a number.`,
    );
  };

  for await (const raw of linesOf(source)) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('%')) continue;
    sawAnything = true;
    if (!inData) {
      if (line[0] !== '@')
        fail(`expected an @ declaration before @data, found “${line.slice(0, 40)}”.`);
      const m = /^@(\w+)\s*(.*)$/.exec(line)!;
      const keyword = m[1].toLowerCase();
      if (keyword === 'relation') header.relation = m[2].replace(/^['"]|['"]$/g, '');
      else if (keyword === 'attribute') {
        const [name, type] = parseAttribute(m[2], fail);
        header.attributes.push({ name, type, line: lineNo });
      } else if (keyword === 'data') {
        if (header.attributes.length === 0) fail('@data comes before any @attribute.');
        inData = true;
        selected = select(header);
        slot = new Int32Array(header.attributes.length).fill(-1);
        selected.forEach((a, i) => (slot[a] = i));
        numeric = header.attributes.map((a) => a.type === 'numeric');
        selected.forEach(() => values.push([]));
      } else fail(`unknown declaration @${m[1]}.`);
      continue;
    }
    const row = new Array<number>(selected.length);
    const width = header.attributes.length;
    if (line[0] === '{') {
      if (!line.endsWith('}')) fail('a sparse row must end with “}”.');
      row.fill(0);
      const body = line.slice(1, -1).trim();
      for (const pair of body === '' ? [] : splitFields(body, fail)) {
        const m = /^(\d+)\s+(.*)$/s.exec(pair.trim());
        if (!m) fail(`“${pair}” is not an “index value” pair.`);
        const attr = Number(m[1]);
        if (attr >= width) fail(`sparse index ${attr} is beyond the ${width} attributes.`);
        const value = m[2].trim().replace(/^(['"])(.*)\1$/s, '$2');
        const v = parseValue(attr, value);
        if (slot[attr] >= 0) row[slot[attr]] = v;
      }
    } else {
      const fields = splitFields(line, fail);
      if (fields.length !== width) fail(`expected ${width} values, found ${fields.length}.`);
      for (let a = 0; a < width; a++) {
        const v = parseValue(a, fields[a]);
        if (slot[a] >= 0) row[slot[a]] = v;
      }
    }
    row.forEach((v, i) => values[i].push(v));
    rows++;
  }
  if (!sawAnything) throw new StudyInputError(fileName, null, 'the file is empty.');
  if (!inData) throw new StudyInputError(fileName, null, 'the file has no @data section.');
  if (rows === 0) throw new StudyInputError(fileName, null, 'the @data section has no rows.');
  return { header, selected, rows, values: values.map((v) => Float64Array.from(v)) };
}
