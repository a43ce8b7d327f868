// A minimal ONNX (protobuf) writer: just the messages the stand-in models need (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto). Hand-written because the only protobuf
// libraries in reach (protobufjs through onnxruntime-web) would need onnx.proto, which no npm package
// ships; field numbers are onnx.proto's (onnx/onnx, ONNX IR version 8).

const WIRE_VARINT = 0
const WIRE_BYTES = 2

function varint(value) {
  const out = []
  let v = BigInt(value)
  if (v < 0n) v += 1n << 64n
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) byte |= 0x80
    out.push(byte)
  } while (v !== 0n)
  return Uint8Array.from(out)
}

class Message {
  parts = []
  tag(field, wire) {
    this.parts.push(varint((field << 3) | wire))
  }
  int(field, value) {
    this.tag(field, WIRE_VARINT)
    this.parts.push(varint(value))
    return this
  }
  bytes(field, bytes) {
    this.tag(field, WIRE_BYTES)
    this.parts.push(varint(bytes.length), bytes)
    return this
  }
  string(field, text) {
    return this.bytes(field, new TextEncoder().encode(text))
  }
  message(field, message) {
    return this.bytes(field, message.encode())
  }
  encode() {
    const length = this.parts.reduce((n, p) => n + p.length, 0)
    const out = new Uint8Array(length)
    let at = 0
    for (const part of this.parts) {
      out.set(part, at)
      at += part.length
    }
    return out
  }
}

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT64: 7 }

/** TensorProto with raw little-endian data. */
export function tensor(name, dataType, dims, data) {
  const t = new Message()
  for (const d of dims) t.int(1, d)
  t.int(2, dataType)
  t.string(8, name)
  t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  return t
}

/** ValueInfoProto of a tensor; dims are numbers or symbolic names. */
export function valueInfo(name, elemType, dims) {
  const shape = new Message()
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d))
  const tensorType = new Message().int(1, elemType).message(2, shape)
  return new Message().string(1, name).message(2, new Message().message(1, tensorType))
}

/** NodeProto; attributes: { name: number (INT) | number[] (INTS) }. */
export function node(opType, inputs, outputs, attributes = {}) {
  const n = new Message()
  for (const i of inputs) n.string(1, i)
  for (const o of outputs) n.string(2, o)
  n.string(3, `${opType}_${outputs[0]}`)
  n.string(4, opType)
  for (const [name, value] of Object.entries(attributes)) {
    const a = new Message().string(1, name)
    if (Array.isArray(value)) {
      for (const v of value) a.int(8, v)
      a.int(20, 7)
    } else {
      a.int(3, value)
      a.int(20, 2)
    }
    n.message(5, a)
  }
  return n
}

/** ModelProto bytes: one graph, default opset 17. */
export function model({ name, nodes, initializers, inputs, outputs, producer }) {
  const graph = new Message()
  for (const n of nodes) graph.message(1, n)
  graph.string(2, name)
  for (const t of initializers) graph.message(5, t)
  for (const i of inputs) graph.message(11, i)
  for (const o of outputs) graph.message(12, o)
  return new Message().int(1, 8).string(2, producer).message(7, graph).message(8, new Message().string(1, '').int(2, 17)).encode()
}
