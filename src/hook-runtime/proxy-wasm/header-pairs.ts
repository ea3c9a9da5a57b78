/**
 * The proxy-wasm map serialization (spec "Serialization"): a u32 count, then a (key length,
 * value length) u32 pair per entry, then each key and value followed by a NUL, little-endian.
 * An empty map is either no bytes or a single 0x00. Names and values are octets, carried as
 * latin1 characters (one per octet), as edgehook's HeaderMap holds them.
 */

export type Pairs = ReadonlyArray<readonly [string, string]>;

export function serializePairs(pairs: Pairs): Buffer {
  let size = 4;
  for (const [key, value] of pairs) size += 8 + key.length + 1 + value.length + 1;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let lengths = 4;
  let data = 4 + pairs.length * 8;
  for (const [key, value] of pairs) {
    out.writeUInt32LE(key.length, lengths);
    out.writeUInt32LE(value.length, lengths + 4);
    lengths += 8;
    data += out.write(key, data, 'latin1') + 1;
    data += out.write(value, data, 'latin1') + 1;
  }
  return out;
}

/** Parses a serialized map; throws a RangeError naming what is wrong when it is malformed. */
export function parsePairs(bytes: Buffer): [string, string][] {
  if (bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0)) return [];
  if (bytes.length < 4) throw new RangeError('serialized map shorter than its count');
  const count = bytes.readUInt32LE(0);
  if (count > (bytes.length - 4) / 10) throw new RangeError(`serialized map claims ${count} entries`);
  const pairs: [string, string][] = [];
  let data = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const keyLength = bytes.readUInt32LE(4 + i * 8);
    const valueLength = bytes.readUInt32LE(8 + i * 8);
    const valueStart = data + keyLength + 1;
    const end = valueStart + valueLength + 1;
    if (end > bytes.length) throw new RangeError('serialized map entry runs past its end');
    pairs.push([bytes.toString('latin1', data, data + keyLength), bytes.toString('latin1', valueStart, valueStart + valueLength)]);
    data = end;
  }
  return pairs;
}
