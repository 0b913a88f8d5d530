// attncc.js — run attncc's WebGPU kernels in a browser. A dependency-free ES module.
//
// A lowered program is two files written by attncc (WebGpuTarget.save): WGSL holding one or
// more compute kernels, each after a line "//// attncc kernel: NAME", and launch metadata
// (JSON, format "attncc-webgpu-launch/1"). This module reads them with the same rules as
// attncc's Python runtime (attncc/targets/webgpu/launch.py):
//   * buffers: inputs, outputs and intermediates ("temp"), each with its ranks and device
//     element type (f32, f16, i32); i8 / bool inputs are widened to i32, f16 inputs to f32
//     when the kernel was lowered without shader-f16;
//   * a kernel's workgroups: ceil(prod(factors) / div), a factor being ceil(extent / per) or
//     a constant; more than 65,535 fold into z;
//   * its PODArgs uniform: the fields in order, 4 bytes each, little endian, packGridDimX =
//     workgroups + pack_offset, padded to 16 bytes;
//   * a call is bound as attncc.ir.bind does: extents from input shapes, param defaults, and
//     the program's lets and declared ranks evaluated from the JSON expression trees in
//     "decls" (integer "/" and "%" floor) — data interpreted here, never code.
//
// A kernel library (attncc export --target webgpu, docs/library.md) is loaded whole:
//
//   import { loadLibrary } from "./attncc.js";
//   const lib = await loadLibrary("gqa-lib/");          // every file's sha256 checked first
//   const { O } = await lib.run("gqa_window_softcap", { Q, K, V }, {
//     shapes: { Q: [1, 8, 100, 64], K: [1, 2, 100, 64], V: [1, 2, 100, 64] },
//     scalars: { W: 256 },                              // params; lets are computed
//   });
//
// or one lowered program: const kernel = await loadKernel(gpu, "gqa.wgsl", "gqa.json").

export const FORMAT = "attncc-webgpu-launch/1";
export const KERNEL_MARK = "//// attncc kernel: ";
export const MAX_GROUPS = 65535;

/** Every error this module raises: bad input, a refused library, a rejected dispatch. */
export class AttnccError extends Error {
  constructor(message) {
    super(`attncc: ${message}`);
    this.name = "AttnccError";
  }
}

/** The adapter and device, with shader-f16 when offered (WebGPU's default limits). */
export async function requestDevice(options = {}) {
  if (!globalThis.navigator || !navigator.gpu) {
    throw new AttnccError("this browser has no WebGPU (navigator.gpu is missing)");
  }
  const adapter = await navigator.gpu.requestAdapter(options);
  if (!adapter) throw new AttnccError("no WebGPU adapter");
  const f16 = adapter.features.has("shader-f16");
  const device = await adapter.requestDevice({ requiredFeatures: f16 ? ["shader-f16"] : [] });
  return { adapter, device, f16 };
}

/** Kernel name → WGSL, from a text holding several kernels after their marker lines. */
export function splitWgsl(text) {
  const out = {};
  let name = null;
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith(KERNEL_MARK)) {
      name = line.slice(KERNEL_MARK.length).trim();
      out[name] = "";
    } else if (name !== null) {
      out[name] += line;
    }
  }
  return out;
}

const ceilDiv = (a, b) => Math.floor((a + b - 1) / b);

/** The number of workgroups a kernel's grid rule gives at these extents. */
export function workgroups(grid, extents) {
  let total = 1;
  for (const f of grid.factors) {
    if ("rank" in f) {
      if (!(f.rank in extents)) throw new AttnccError(`the extent of rank ${f.rank} is missing`);
      total *= ceilDiv(extents[f.rank], f.per ?? 1);
    } else {
      total *= f.const;
    }
  }
  return ceilDiv(total, grid.div ?? 1);
}

/** Workgroups (x, y, z) for n of them: x up to 65,535, the rest in z. */
export function dispatchSize(n) {
  if (n <= MAX_GROUPS) return [Math.max(n, 1), 1, 1];
  return [MAX_GROUPS, 1, Math.ceil(n / MAX_GROUPS)];
}

/** The PODArgs uniform of one kernel (an ArrayBuffer, a multiple of 16 bytes). */
export function podBytes(kernel, sources, extents, scalars, groups) {
  const size = Math.ceil((4 * kernel.pod.length) / 16) * 16;
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  kernel.pod.forEach((field, i) => {
    let value;
    if (field.name === "packGridDimX") {
      value = groups + kernel.pack_offset;
    } else {
      const src = sources[field.name];
      if (!src) throw new AttnccError(`PODArgs field ${field.name} has no source`);
      const table = src.kind === "extent" ? extents : scalars;
      if (!(src.of in table)) {
        throw new AttnccError(`kernel ${kernel.entry} needs the ${src.kind} ${src.of}; pass it`);
      }
      value = Number(table[src.of]);
    }
    if (field.type === "f32") view.setFloat32(4 * i, value, true);
    else if (field.type === "i32") view.setInt32(4 * i, Math.trunc(value), true);
    else view.setUint32(4 * i, Math.trunc(value), true);
  });
  return buf;
}

/** float16 bits → float32 values (exact). */
export function f16ToF32(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

const isExtent = (n) => Number.isInteger(n) && n >= 0;

/** Rank extents read from input shapes ({Q: [1, 8, 100, 64], ...}) by the inputs' ranks. */
export function extentsFromShapes(launch, shapes) {
  const ranksOf =
    launch.inputs ??
    Object.fromEntries(launch.buffers.filter((b) => b.role === "input").map((b) => [b.arg, b.ranks]));
  const extents = {};
  const where = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const ranks = ranksOf[name];
    if (!ranks) {
      if (!launch.inputs) continue; // older metadata lists only the buffers a kernel binds
      const names = Object.keys(launch.inputs).join(", ");
      throw new AttnccError(`a shape is given for ${name}, which is not an input of ${launch.program}; its inputs are ${names}`);
    }
    if (shape.length !== ranks.length) {
      throw new AttnccError(`input ${name} has ranks [${ranks.join(", ")}] but its shape is [${shape.join(", ")}]`);
    }
    ranks.forEach((r, i) => {
      const n = shape[i];
      if (!isExtent(n)) throw new AttnccError(`dim ${i} of ${name} (rank ${r}) must be an integer >= 0, got ${n}`);
      if (r in extents && extents[r] !== n) {
        throw new AttnccError(`rank ${r} is ${extents[r]} in ${where[r]} but ${n} in ${name} (dim ${i})`);
      }
      extents[r] = n;
      where[r] ??= `${name} (dim ${i})`;
    });
  }
  return extents;
}

// ---------------------------------------------------------------------------------------
// Binding a call: params, lets and declared ranks, as attncc.ir.bind does.
//
// A scalar is { value, kind }: kind "int", "float" or "bool" — Python's int, float and bool,
// which attncc's rules tell apart (integer "/" and "%" floor, float ones do not; a bool is
// an int in arithmetic). JSON numbers cannot tell 1 from 1.0, so trees tag their literals.

const INT_RANGE = { i32: [-(2 ** 31), 2 ** 31 - 1], i8: [-128, 127] };
const kindOf = (dtype) => (dtype === "bool" ? "bool" : dtype in INT_RANGE ? "int" : "float");
const int = (v) => ({ value: v === 0 ? 0 : v, kind: "int" });
const float = (v) => ({ value: v, kind: "float" });
const bool = (v) => ({ value: Boolean(v), kind: "bool" });
const num = (x) => (x.kind === "bool" ? Number(x.value) : x.value);
const truthy = (x) => (x.kind === "bool" ? x.value : x.value !== 0); // NaN is true, as in Python
const SPECIAL = { inf: Infinity, "-inf": -Infinity, nan: NaN };

const COMPARE = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

const FLOAT_FNS = {
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  log: Math.log,
  log2: Math.log2,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
};

/** Round half to even. */
function roundEven(y) {
  const f = Math.floor(y);
  const d = y - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** x rounded to nearest even with `digits` significant bits, exponents emin..emax
 * (f16: 11, -14, 15; bf16: 8, -126, 127): beyond the largest finite value is ±inf. */
function roundTo(x, digits, emin, emax) {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  const quantum = 2 ** (Math.max(e, emin) - (digits - 1));
  const r = roundEven(a / quantum) * quantum;
  return Math.sign(x) * (r >= 2 ** (emax + 1) ? Infinity : r);
}

/** dtype(x), as the language's casts define it (attncc.ir.bind.cast_scalar). */
function cast(x, dtype) {
  if (dtype === "bool") return bool(num(x) !== 0);
  if (dtype in INT_RANGE) {
    let v = num(x);
    if (x.kind === "float") {
      if (!Number.isFinite(v)) throw new AttnccError(`cannot convert ${v} to ${dtype}`);
      v = Math.trunc(v);
    }
    const [lo, hi] = INT_RANGE[dtype];
    const span = hi - lo + 1;
    return int((((v - lo) % span) + span) % span + lo);
  }
  const v = num(x);
  if (dtype === "f16") return float(roundTo(v, 11, -14, 15));
  if (dtype === "bf16") return float(roundTo(v, 8, -126, 127));
  return float(v); // f32 is the compute type: not rounded (as the interpreter)
}

function binary(op, a, b, name) {
  if (op === "and") return bool(truthy(a) && truthy(b));
  if (op === "or") return bool(truthy(a) || truthy(b));
  if (op in COMPARE) return bool(COMPARE[op](num(a), num(b)));
  const [x, y] = [num(a), num(b)];
  if ((op === "/" || op === "%") && y === 0) {
    throw new AttnccError(`${name} divides by zero: check the extents and params it depends on`);
  }
  const ints = a.kind !== "float" && b.kind !== "float";
  const make = ints ? int : float;
  if (op === "+") return make(x + y);
  if (op === "-") return make(x - y);
  if (op === "*") return make(x * y);
  if (op === "/") return ints ? int(Math.floor(x / y)) : float(x / y);
  if (op === "%") {
    if (ints) return int(x - y * Math.floor(x / y));
    const r = x % y; // the divisor's sign, as numpy's mod
    return float(r !== 0 && r < 0 !== y < 0 ? r + y : r);
  }
  throw new AttnccError(`${name}: unknown operator ${op}`);
}

function call(fn, args, name) {
  if (["f32", "f16", "bf16", "i32", "i8", "bool"].includes(fn)) return cast(args[0], fn);
  if (fn === "select") return truthy(args[0]) ? args[1] : args[2];
  if (fn === "max" || fn === "min") {
    const [a, b] = args;
    const pick = (fn === "max" ? num(b) > num(a) : num(b) < num(a)) ? b : a;
    return args.some((x) => x.kind === "float") ? float(num(pick)) : pick;
  }
  const x = args[0];
  if (fn === "abs") return x.kind === "float" ? float(Math.abs(x.value)) : int(Math.abs(num(x)));
  if (fn === "floor" || fn === "ceil") {
    if (x.kind !== "float" || !Number.isFinite(x.value)) return x;
    return float(Math[fn](x.value));
  }
  if (!(fn in FLOAT_FNS)) throw new AttnccError(`${name}: unknown function ${fn}`);
  return float(FLOAT_FNS[fn](num(x)));
}

/** The value of a scalar expression tree (attncc.targets.webgpu.launch.expr_tree) over env
 * (name → { value, kind }); every argument is evaluated, as in Python. */
export function evalScalar(tree, env, name = "a let") {
  if ("int" in tree) return int(tree.int);
  if ("float" in tree) return float(typeof tree.float === "string" ? SPECIAL[tree.float] : tree.float);
  if ("bool" in tree) return bool(tree.bool);
  if ("name" in tree) {
    if (!(tree.name in env)) throw new AttnccError(`${name} uses ${tree.name}, which has no value`);
    return env[tree.name];
  }
  const args = tree.args.map((a) => evalScalar(a, env, name));
  if ("fn" in tree) return call(tree.fn, args, name);
  if (tree.op === "neg") return args[0].kind === "float" ? float(-args[0].value) : int(-num(args[0]));
  if (tree.op === "not") return bool(!truthy(args[0]));
  return binary(tree.op, args[0], args[1], name);
}

function paramValue(name, dtype, v, src) {
  const kind = kindOf(dtype);
  if (typeof v === "bigint") v = Number(v);
  if (kind === "bool" && typeof v === "boolean") return bool(v);
  if (kind === "int" && Number.isInteger(v)) {
    const [lo, hi] = INT_RANGE[dtype];
    if (v < lo || v > hi) throw new AttnccError(`param ${name} is ${dtype} but the ${src} value ${v} is outside [${lo}, ${hi}]`);
    return int(v);
  }
  if (kind === "float" && typeof v === "number") return float(v);
  const want = { bool: "a boolean", int: "an integer", float: "a number" }[kind];
  throw new AttnccError(`param ${name} is ${dtype} but the ${src} value is ${v} (${typeof v}); pass ${want}`);
}

/** { extents, scalars } of a call: every rank's extent and every param's and let's value,
 * from { shapes } of the inputs, { extents } of ranks no input has and { scalars }: params
 * (defaults fill the rest). Launch metadata without "decls" (attncc before lets were
 * exported) needs its lets in scalars, as before. */
export function bind(launch, { shapes = {}, extents = {}, scalars = {} } = {}) {
  const ext = extentsFromShapes(launch, shapes);
  if (!launch.decls) {
    const params = { ...scalars };
    for (const [name, p] of Object.entries(launch.params ?? {})) {
      if (!(name in params) && p.default != null) params[name] = p.default;
    }
    return { extents: { ...ext, ...extents }, scalars: params };
  }
  for (const [r, n] of Object.entries(extents)) {
    if (!launch.ranks.includes(r)) {
      throw new AttnccError(`extents gives ${r}, which is not a rank of ${launch.program}; its ranks are ${launch.ranks.join(", ")}`);
    }
    if (!isExtent(n)) throw new AttnccError(`the extent of rank ${r} must be an integer >= 0, got ${n}`);
    if (r in ext && ext[r] !== n) throw new AttnccError(`rank ${r} is ${ext[r]} in the shapes but ${n} in extents`);
    ext[r] = n;
  }
  const declared = new Set(launch.decls.filter((d) => "rank" in d).map((d) => d.rank));
  for (const r of launch.ranks) {
    if (!(r in ext) && !declared.has(r)) {
      throw new AttnccError(`rank ${r} of ${launch.program} has no extent: pass the shape of an input with it, or extents: { ${r}: ... }`);
    }
  }
  const lets = launch.decls.filter((d) => "let" in d).map((d) => d.let);
  for (const name of Object.keys(scalars)) {
    if (name in launch.params) continue;
    const why = lets.includes(name) ? "is a let: attncc.js computes it from the extents" : "is not a param";
    const params = Object.keys(launch.params).join(", ") || "(none)";
    throw new AttnccError(`${name} ${why}; the params of ${launch.program} are ${params}`);
  }
  const env = Object.fromEntries(Object.entries(ext).map(([r, n]) => [r, int(n)]));
  const values = {};
  for (const [name, p] of Object.entries(launch.params)) {
    const given = name in scalars;
    if (!given && p.default == null) {
      throw new AttnccError(`param ${name} : ${p.dtype} of ${launch.program} has no default and no value was given; pass scalars: { ${name}: ... }`);
    }
    values[name] = env[name] = paramValue(name, p.dtype, given ? scalars[name] : p.default, given ? "given" : "default");
  }
  for (const d of launch.decls) {
    const v = evalScalar(d.value, env, `the declaration of ${d.let ?? d.rank}`);
    if ("let" in d) {
      const kind = kindOf(d.dtype);
      if (kind === "int" && !Number.isFinite(num(v))) throw new AttnccError(`let ${d.let} is ${num(v)}, not an integer`);
      const typed = kind === "bool" ? bool(truthy(v)) : kind === "int" ? int(Math.trunc(num(v))) : float(num(v));
      values[d.let] = env[d.let] = typed;
    } else {
      if (!(num(v) >= 0)) throw new AttnccError(`rank ${d.rank} evaluates to ${num(v)}; an extent must be >= 0`);
      const n = Math.trunc(num(v));
      if (d.rank in ext && ext[d.rank] !== n) {
        throw new AttnccError(`rank ${d.rank} is ${ext[d.rank]} in the shapes but its declaration gives ${n}`);
      }
      ext[d.rank] = n;
      env[d.rank] = int(n);
    }
  }
  const ordered = Object.fromEntries(launch.ranks.map((r) => [r, ext[r]]));
  return { extents: ordered, scalars: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value])) };
}

// ---------------------------------------------------------------------------------------
// A lowered program on a device.

const TYPED = { f32: Float32Array, f16: Uint16Array, i32: Int32Array };

/** An input as its device buffer's element type (i8 / bool → i32; f16 bits → f32). */
function deviceArray(b, data) {
  if (b.type === "i32") {
    return data instanceof Int32Array ? data : Int32Array.from(data, Number);
  }
  if (b.type === "f16") {
    if (!(data instanceof Uint16Array)) {
      throw new AttnccError(`input ${b.arg} is f16: pass its bits as a Uint16Array`);
    }
    return data;
  }
  if (b.dtype === "f16" && data instanceof Uint16Array) return f16ToF32(data);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

function count(ranks, extents) {
  return ranks.reduce((n, r) => {
    if (!(r in extents)) throw new AttnccError(`the extent of rank ${r} is missing`);
    return n * extents[r];
  }, 1);
}

/** A lowered program on a device: pipelines built once, run many times. */
export class Kernel {
  constructor(gpu, wgsl, launch) {
    if (launch.format !== FORMAT) {
      throw new AttnccError(`launch metadata format ${launch.format}, expected ${FORMAT}`);
    }
    if (launch.f16 && !gpu.f16) {
      throw new AttnccError(
        "this kernel stores f16 tensors but the adapter lacks shader-f16; " +
          "export it from a machine without shader-f16 (attncc then widens f16 to f32)",
      );
    }
    this.gpu = gpu;
    this.launch = launch;
    this.wgsl = wgsl;
    this.pipelines = null;
  }

  /** Compile every kernel; a WGSL error or an invalid pipeline rejects with its message. */
  async compile() {
    const { device } = this.gpu;
    const texts = splitWgsl(this.wgsl);
    this.pipelines = await Promise.all(
      this.launch.kernels.map(async (k) => {
        if (!(k.entry in texts)) throw new AttnccError(`no WGSL for kernel ${k.entry}`);
        const module = device.createShaderModule({ code: texts[k.entry] });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === "error");
        if (errors.length) {
          const lines = errors.map((m) => `${m.lineNum}:${m.linePos}: ${m.message}`);
          throw new AttnccError(`WGSL of kernel ${k.entry} does not compile:\n${lines.join("\n")}`);
        }
        return device.createComputePipelineAsync({
          layout: "auto",
          compute: { module, entryPoint: k.entry },
        });
      }),
    );
    return this;
  }

  /** Every rank's extent and every param's and let's value for a call (see bind). */
  bind(options = {}) {
    return bind(this.launch, options);
  }

  /** Outputs by name (Float32Array / Int32Array) for inputs by name, their { shapes } (rank
   * extents are read from them), { extents } of ranks no input has (a paged cache's
   * sequence length) and { scalars }: params (defaults fill the rest; lets are computed). */
  async run(inputs, options = {}) {
    return this.dispatch(inputs, this.bind(options));
  }

  /** Run on inputs with a binding ({ extents, scalars } of every rank, param and let). */
  async dispatch(inputs, { extents, scalars }) {
    const { device } = this.gpu;
    const launch = this.launch;
    const empty = Object.keys(extents).filter((r) => extents[r] === 0);
    if (empty.length) {
      throw new AttnccError(`rank(s) ${empty.join(", ")} of ${launch.program} have extent 0; compiled kernels need non-empty ranks`);
    }
    if (!this.pipelines) await this.compile();
    device.pushErrorScope("validation");
    const buffers = {};
    const outputs = [];
    const temporary = [];
    for (const b of launch.buffers) {
      const n = count(b.ranks, extents);
      const bytes = Math.max(4, Math.ceil((n * (b.type === "f16" ? 2 : 4)) / 4) * 4);
      if (b.role === "input") {
        if (!(b.arg in inputs)) throw new AttnccError(`missing input ${b.arg}`);
        const data = deviceArray(b, inputs[b.arg]);
        if (data.length !== n) {
          throw new AttnccError(`input ${b.arg} has ${data.length} elements, expected ${n}`);
        }
        const buf = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
        new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        buf.unmap();
        buffers[b.name] = buf;
      } else {
        const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
        buffers[b.name] = device.createBuffer({ size: bytes, usage });
        if (b.role === "output") outputs.push({ b, n, bytes });
      }
      temporary.push(buffers[b.name]);
    }
    const encoder = device.createCommandEncoder();
    launch.kernels.forEach((k, i) => {
      const groups = workgroups(k.grid, extents);
      const pod = podBytes(k, launch.scalars, extents, scalars, groups);
      const uniform = device.createBuffer({ size: pod.byteLength, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
      new Uint8Array(uniform.getMappedRange()).set(new Uint8Array(pod));
      uniform.unmap();
      temporary.push(uniform);
      const entries = k.buffers.map((name, binding) => ({ binding, resource: { buffer: buffers[name] } }));
      entries.push({ binding: k.buffers.length, resource: { buffer: uniform } });
      const bindGroup = device.createBindGroup({ layout: this.pipelines[i].getBindGroupLayout(0), entries });
      const pass = encoder.beginComputePass();
      pass.setPipeline(this.pipelines[i]);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...dispatchSize(groups));
      pass.end();
    });
    const reads = outputs.map(({ b, bytes }) => {
      const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(buffers[b.name], 0, read, 0, bytes);
      temporary.push(read);
      return read;
    });
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new AttnccError(`WebGPU rejected the dispatch: ${error.message}`);
    const result = {};
    for (let i = 0; i < outputs.length; i++) {
      const { b, n } = outputs[i];
      await reads[i].mapAsync(GPUMapMode.READ);
      const Typed = TYPED[b.type];
      result[b.arg] = new Typed(reads[i].getMappedRange().slice(0)).subarray(0, n);
      reads[i].unmap();
    }
    for (const buf of temporary) buf.destroy();
    return result;
  }
}

async function text(source, isContent) {
  if (typeof source !== "string" || isContent(source)) return source;
  const response = await fetch(source);
  if (!response.ok) throw new AttnccError(`fetching ${source} gave HTTP ${response.status}`);
  return response.text();
}

/** A Kernel from WGSL and launch metadata, each given as a URL or as its content. No hash is
 * checked here: a library (loadLibrary) is the way to ship kernels to users. */
export async function loadKernel(gpu, wgsl, launch) {
  const code = await text(wgsl, (s) => s.includes("@compute"));
  let meta = launch;
  if (typeof launch === "string") meta = JSON.parse(await text(launch, (s) => s.trim().startsWith("{")));
  return new Kernel(gpu, code, meta).compile();
}

// ---------------------------------------------------------------------------------------
// Kernel libraries: manifest.json read within bounds and checked field by field, the hash
// of every field that decides what runs and every file's sha256 checked before it is used,
// kernels picked by shape bucket (attncc/library/{canonical,manifest,buckets}.py).

export const LIBRARY_FORMAT = "attncc-library";
export const SCHEMA_VERSION = 2;
export const MANIFEST = "manifest.json";
const MAX_MANIFEST_BYTES = 16 << 20; // larger is not a manifest attncc wrote
const MAX_FILE_BYTES = 2 ** 30; // nor a file
const MAX_DEPTH = 64; // JSON nesting (attncc writes about 10 levels)
const MAX_VALUES = 1_000_000; // values in one JSON document
const MAX_NUMBER_CHARS = 40; // the longest number literal read
const PROVENANCES = ["tuned", "model", "default"];
const SHA256 = /^[0-9a-f]{64}$/;
/** The hashed fields of a kernel entry, besides one "source.meta.KEY" per meta key (checked
 * before "source.meta", so that an error names the key). */
export const KERNEL_FIELDS = [
  "target", "bucket", "shape", "config", "provenance", "tuning",
  "source.language", "source.entry", "source.extents", "source.meta", "source.text", "files",
]; // prettier-ignore

const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

/** The sha256 of bytes as 64 lowercase hex digits (SubtleCrypto: https or localhost). */
export async function sha256Hex(bytes) {
  if (!globalThis.crypto?.subtle) {
    throw new AttnccError("checking a library needs SubtleCrypto, which a page has only in a secure context (https or localhost)");
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// -- bounded JSON (attncc/library/canonical.py: load_json) -------------------------------

const isSpace = (c) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Depth, value count and duplicate keys of JSON text, before JSON.parse builds anything
 * (JSON.parse itself keeps the last of two equal keys, silently). */
function scanJson(text, where) {
  const stack = []; // per open container: the keys seen (objects) or null (lists)
  let values = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      let k = j + 1;
      while (k < text.length && isSpace(text.charCodeAt(k))) k++;
      const keys = stack[stack.length - 1];
      if (keys && text[k] === ":") {
        let key;
        try {
          key = JSON.parse(text.slice(i, j + 1));
        } catch {
          return; // not JSON: JSON.parse says where
        }
        if (keys.has(key)) throw new AttnccError(`${where} names the key ${JSON.stringify(key)} twice in one object`);
        keys.add(key);
      }
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      stack.push(c === 0x7b ? new Set() : null);
      if (stack.length > MAX_DEPTH) {
        throw new AttnccError(`${where} nests lists and objects more than ${MAX_DEPTH} deep (attncc's manifests nest about 10). Fix: export the library again`);
      }
      values++;
    } else if (c === 0x5d || c === 0x7d) {
      stack.pop();
    } else if (c === 0x2c && ++values > MAX_VALUES) {
      throw new AttnccError(`${where} holds more than ${MAX_VALUES} values; attncc reads at most that many in one file`);
    }
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The JSON value of text, within attncc's bounds: depth, value count, no duplicate key,
 * integers within ±(2**53 - 1), number literals of at most 40 characters, finite numbers,
 * no lone surrogate (as attncc/library/canonical.py load_json). */
export function readJson(text, where) {
  scanJson(text, where);
  const refuse = (what) => {
    throw new AttnccError(`${where} holds ${what}. Fix: export the library again`);
  };
  let value;
  try {
    value = JSON.parse(text, (key, v, context) => {
      if (typeof v !== "number") return v;
      const literal = context?.source; // the number as written (JSON.parse source text access)
      if (literal !== undefined && literal.length > MAX_NUMBER_CHARS) refuse(`a number literal of ${literal.length} characters`);
      if (!Number.isFinite(v)) refuse(`the number ${literal ?? v}, which is too large for a double`);
      // (without the source text, as in older engines, a large integer reads as the double
      // nearest to it, and the hashes are over that double: nothing unhashed slips through)
      if (literal !== undefined && !/[.eE]/.test(literal) && !Number.isSafeInteger(v)) {
        refuse(`the integer ${literal ?? v}, beyond ±(2**53 - 1): JavaScript cannot hold it exactly, so attncc never writes one`);
      }
      return v;
    });
  } catch (err) {
    if (err instanceof AttnccError) throw err;
    throw new AttnccError(`${where} is not valid JSON (${err.message}). Fix: export the library again`);
  }
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string" && LONE_SURROGATE.test(v)) refuse(`a string with a lone surrogate (${JSON.stringify(v.slice(0, 40))}): not Unicode text`);
    if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) stack.push(k, x);
    }
  }
  return value;
}

// -- the canonical form of hashed fields (attncc/library/canonical.py, docs/library.md) -

const f64Hex = (x) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return Array.from(new Uint8Array(view.buffer), (b) => b.toString(16).padStart(2, "0")).join("");
};
const asciiString = (s) =>
  JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The canonical form of a JSON value: keys in UTF-16 order, no spaces, strings in ASCII
 * with \uXXXX escapes, safe integers in decimal, other numbers as 0x + their IEEE-754 bits. */
export function canonicalJson(value, depth = 0) {
  if (depth > MAX_DEPTH) throw new AttnccError(`a value nested more than ${MAX_DEPTH} deep cannot be hashed`);
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new AttnccError(`the number ${value} cannot be hashed`);
    return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : `0x${f64Hex(value)}`;
  }
  if (typeof value === "string") return asciiString(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(); // UTF-16 code-unit order, as Python's utf-16-be sort
    return `{${keys.map((k) => `${asciiString(k)}:${canonicalJson(value[k], depth + 1)}`).join(",")}}`;
  }
  throw new AttnccError(`a ${typeof value} is not a JSON value`);
}

const sha256Text = (text) => sha256Hex(new TextEncoder().encode(text));

/** The hash a manifest keeps for one field, bound to its scope (program or target). */
export const fieldHash = (scope, field, value) => sha256Text(canonicalJson({ scope, field, value }));

/** The library digest: the canonical sha256 of the manifest without "created" (what
 * loadLibrary(url, { sha256 }) and attncc.load_library(path, sha256=...) pin). */
export function libraryDigest(data) {
  const { created, ...rest } = data;
  return sha256Text(canonicalJson(rest));
}

/** The hashed fields of a kernel entry, by name (attncc.library.manifest.kernel_fields). */
export function kernelFields(kernel) {
  const fields = {};
  for (const name of KERNEL_FIELDS) {
    const [part, sub] = name.split(".");
    if (name === "source.meta") {
      for (const [k, v] of Object.entries(kernel.source.meta)) fields[`source.meta.${k}`] = v;
    }
    fields[name] = sub ? kernel.source[sub] : kernel[part];
  }
  return fields;
}

// -- the manifest's schema (attncc/library/manifest.py: parse_manifest) ------------------

/** path when it is a plain relative path inside the library; else an AttnccError. Refused:
 * absolute paths, empty, "." and ".." parts, backslashes, ":" (drives, URL schemes), control
 * characters, over-long names, and "%", "?", "#" (a URL would decode or cut them: "%2e%2e"
 * is ".."). */
export function safeRelativePath(path, where) {
  const bad =
    typeof path !== "string" ||
    path === "" ||
    path.startsWith("/") ||
    /[\\:%?#\u0000-\u001f\u007f]/.test(path) ||
    path.split("/").some((part) => part === "" || part === "." || part === "..");
  if (bad) {
    throw new AttnccError(
      `${where}: file path ${JSON.stringify(path)} is not a plain relative path inside the library ` +
        "(absolute paths, '..', '.', backslashes, ':', control characters, '%', '?' and '#' are refused)",
    );
  }
  const size = (s) => new TextEncoder().encode(s).length;
  if (size(path) > 1024 || path.split("/").some((part) => size(part) > 255)) {
    throw new AttnccError(`${where}: file path ${JSON.stringify(path.slice(0, 60))}... is longer than a library's paths can be (255 bytes a name, 1024 in all)`);
  }
  return path;
}

const describe = (v) => (v === null ? "null" : Array.isArray(v) ? "a list" : `${typeof v} ${JSON.stringify(v)}`.slice(0, 80));
const KINDS = {
  object: [(v) => v !== null && typeof v === "object" && !Array.isArray(v), "an object"],
  list: [Array.isArray, "a list"],
  string: [(v) => typeof v === "string", "a string"],
  integer: [Number.isInteger, "an integer"],
};

/** obj[key], checked to be of kind; errors name the field's path. */
function get(obj, key, kind, where) {
  if (!own(obj, key)) throw new AttnccError(`${where}: missing field ${JSON.stringify(key)}`);
  const [ok, name] = KINDS[kind];
  if (!ok(obj[key])) throw new AttnccError(`${where}.${key}: expected ${name}, got ${describe(obj[key])}`);
  return obj[key];
}

/** Refuse a field the schema does not have (nothing would read or hash it). */
function only(obj, keys, where) {
  const extra = Object.keys(obj).find((k) => !keys.includes(k));
  if (extra !== undefined) {
    throw new AttnccError(
      `${where}: unknown field ${JSON.stringify(extra)} (expected only ${keys.join(", ")}). ` +
        "Fix: load the library with the attncc.js that came with its exporter, or export it again",
    );
  }
}

function sha256Field(obj, key, where) {
  const sha = get(obj, key, "string", where);
  if (!SHA256.test(sha)) throw new AttnccError(`${where}.${key}: expected 64 lowercase hex digits, got ${describe(sha)}`);
  return sha;
}

function fileRef(obj, where) {
  if (!KINDS.object[0](obj)) throw new AttnccError(`${where}: expected an object, got ${describe(obj)}`);
  only(obj, ["path", "sha256"], where);
  safeRelativePath(get(obj, "path", "string", where), `${where}.path`);
  sha256Field(obj, "sha256", where);
  return obj;
}

function extentsField(obj, key, where, allowNull) {
  const extents = get(obj, key, "object", where);
  for (const [rank, n] of Object.entries(extents)) {
    if (!((n === null && allowNull) || (Number.isInteger(n) && n >= 1))) {
      const what = allowNull ? "a positive integer or null (symbolic)" : "a positive integer";
      throw new AttnccError(`${where}.${key}.${rank}: expected ${what}, got ${describe(n)}`);
    }
  }
  return extents;
}

/** A manifest (bounded JSON, readJson), checked as attncc.library.manifest.parse_manifest
 * does, but for the hashes (checkHashes: SubtleCrypto is asynchronous). */
export function checkManifest(data, where = MANIFEST) {
  if (!KINDS.object[0](data)) throw new AttnccError(`${where}: expected a JSON object, got ${describe(data)}`);
  const format = get(data, "format", "string", "manifest");
  if (format !== LIBRARY_FORMAT) throw new AttnccError(`${where} is not an attncc kernel library (format ${JSON.stringify(format.slice(0, 60))})`);
  const version = get(data, "schema_version", "integer", "manifest");
  if (version !== SCHEMA_VERSION) {
    const how = version > SCHEMA_VERSION ? "newer than" : "older than";
    throw new AttnccError(
      `${where} has schema version ${version}, ${how} the version this attncc.js reads (${SCHEMA_VERSION}). ` +
        "Fix: load it with a matching attncc.js, or export it again",
    );
  }
  only(data, ["format", "schema_version", "created", "versions", "targets", "programs"], "manifest");
  get(data, "created", "string", "manifest");
  get(data, "versions", "object", "manifest");
  const targets = get(data, "targets", "object", "manifest");
  for (const name of Object.keys(targets)) {
    const at = `manifest.targets.${name}`;
    const entry = get(targets, name, "object", "manifest.targets");
    only(entry, ["fingerprint", "hashes"], at);
    get(entry, "fingerprint", "object", at);
    get(entry, "hashes", "object", at);
  }
  const seen = new Set([MANIFEST]);
  const programs = get(data, "programs", "object", "manifest");
  for (const name of Object.keys(programs)) {
    const at = `manifest.programs.${name}`;
    const program = get(programs, name, "object", "manifest.programs");
    only(program, ["text", "sha256", "kernels"], at);
    get(program, "text", "string", at);
    sha256Field(program, "sha256", at);
    const served = new Map();
    get(program, "kernels", "list", at).forEach((k, i) => {
      const kat = `${at}.kernels[${i}]`;
      if (!KINDS.object[0](k)) throw new AttnccError(`${kat}: expected an object, got ${describe(k)}`);
      only(k, ["target", "bucket", "shape", "config", "provenance", "tuning", "files", "source", "hashes"], kat);
      const target = get(k, "target", "string", kat);
      if (!own(targets, target)) throw new AttnccError(`${kat}.target: ${JSON.stringify(target.slice(0, 60))} is not one of the library's targets`);
      const provenance = get(k, "provenance", "string", kat);
      if (!PROVENANCES.includes(provenance)) {
        throw new AttnccError(`${kat}.provenance: expected one of ${PROVENANCES.join(", ")}, got ${JSON.stringify(provenance.slice(0, 60))}`);
      }
      get(k, "config", "object", kat);
      get(k, "tuning", "object", kat);
      get(k, "hashes", "object", kat);
      const source = get(k, "source", "object", kat);
      only(source, ["language", "entry", "extents", "meta", "text"], `${kat}.source`);
      get(source, "language", "string", `${kat}.source`);
      get(source, "entry", "string", `${kat}.source`);
      const extents = extentsField(source, "extents", `${kat}.source`, true);
      get(source, "meta", "object", `${kat}.source`);
      const refs = [fileRef(get(source, "text", "object", `${kat}.source`), `${kat}.source.text`)];
      for (const role of Object.keys(get(k, "files", "object", kat))) {
        refs.push(fileRef(get(k.files, role, "object", `${kat}.files`), `${kat}.files.${role}`));
      }
      const bucket = extentsField(k, "bucket", kat, false);
      extentsField(k, "shape", kat, false);
      for (const [rank, n] of Object.entries(extents)) {
        if (n === null && !own(bucket, rank)) {
          throw new AttnccError(`${kat}.bucket: rank ${JSON.stringify(rank)} is symbolic in source.extents but has no bucket`);
        }
      }
      const key = `${target}\u0000${canonicalJson(bucket)}`;
      if (served.has(key)) {
        throw new AttnccError(`${kat} serves the same ${target} bucket ${bucketKey(bucket)} as kernels[${served.get(key)}]: a library has one kernel per target and bucket`);
      }
      served.set(key, i);
      for (const ref of refs) {
        if (seen.has(ref.path)) throw new AttnccError(`manifest: the file ${JSON.stringify(ref.path)} is named twice`);
        seen.add(ref.path);
      }
    });
  }
  return data;
}

/** The entry's hashes against those recomputed from its fields: the first field that
 * differs, or a field without a hash, is named (attncc.library.manifest._check_hashes). */
async function compareHashes(entry, expected, where) {
  const hashes = entry.hashes;
  for (const name of Object.keys(hashes)) {
    if (!own(expected, name)) {
      throw new AttnccError(`${where}.hashes has a hash for ${JSON.stringify(name)}, which is not a field of this entry: the entry was edited after export. Nothing was loaded. Fix: export the library again`);
    }
  }
  for (const [name, value] of Object.entries(expected)) {
    if (!own(hashes, name)) {
      throw new AttnccError(`${where}.${name} has no hash in ${where}.hashes: the field was added after export. Nothing was loaded. Fix: export the library again`);
    }
    const stored = sha256Field(hashes, name, `${where}.hashes`);
    const found = await value;
    if (found !== stored) {
      throw new AttnccError(
        `${where}.${name} does not match its hash in ${where}.hashes (expected ${stored.slice(0, 16)}..., found ${found.slice(0, 16)}...): ` +
          "the field was edited after export, which would change what runs. Nothing was loaded. Fix: export the library again (a library is not edited by hand)",
      );
    }
  }
}

/** Every hash a checked manifest keeps: each program text's sha256, each target's and each
 * kernel's field hashes (docs/library.md, "What is hashed"). */
export async function checkHashes(data) {
  for (const [name, entry] of Object.entries(data.targets)) {
    const expected = { fingerprint: fieldHash(`target:${name}`, "fingerprint", entry.fingerprint) };
    await compareHashes(entry, expected, `manifest.targets.${name}`);
  }
  for (const [name, program] of Object.entries(data.programs)) {
    const at = `manifest.programs.${name}`;
    const actual = await sha256Text(program.text);
    if (actual !== program.sha256) {
      throw new AttnccError(`the text of program ${name} in ${MANIFEST} does not match its sha256 (expected ${program.sha256}, found ${actual}): the manifest was edited after export. Nothing was loaded. Fix: export the library again`);
    }
    for (const [i, kernel] of program.kernels.entries()) {
      const fields = kernelFields(kernel);
      const scope = `program:${program.sha256}`;
      const expected = Object.fromEntries(Object.entries(fields).map(([f, v]) => [f, fieldHash(scope, f, v)]));
      await compareHashes(kernel, expected, `${at}.kernels[${i}]`);
    }
  }
  return data;
}

// -- the bucket policy (attncc/library/buckets.py) --------------------------------------

/** The power of two a length rounds up to: 1, 2, 4, 8, ... (1500 → 2048). */
export function roundUpPow2(n) {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const bitLength = (n) => {
  let bits = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) bits += 1;
  return bits;
};

/** "b=1,h=8,p=2048": a bucket as text, in the order of its ranks. */
export const bucketKey = (bucket) => Object.entries(bucket).map(([r, n]) => `${r}=${n}`).join(",");

/** The manifest kernel that serves a call at extents (every rank bound): one whose fixed
 * ranks all equal the call's; of those the call's own bucket, else the nearest (the least
 * distance in powers of two over the symbolic ranks, a larger bucket before a smaller one,
 * then the bucket text). */
export function selectKernel(kernels, extents, program, target = "webgpu") {
  const serving = kernels.filter((k) =>
    Object.entries(k.source.extents).every(([r, n]) => n === null || extents[r] === n),
  );
  if (!serving.length) {
    const have = kernels.map((k) => bucketKey(k.bucket)).join("; ") || "none";
    const fixed = [...new Set(kernels.flatMap((k) => Object.entries(k.source.extents).filter(([, n]) => n !== null).map(([r]) => r)))].sort();
    const call = fixed.filter((r) => r in extents).map((r) => `${r}=${extents[r]}`).join(",");
    throw new AttnccError(
      `the library has no ${target} kernel of ${program} for ${call || "these extents"} ` +
        `(ranks ${fixed.join(", ")} must match exactly); its buckets: ${have}. Fix: export this shape too`,
    );
  }
  const distance = (k) => {
    let far = 0;
    let smaller = 0;
    for (const [r, n] of Object.entries(k.source.extents)) {
      if (n !== null || !(r in extents)) continue;
      const want = bitLength(roundUpPow2(extents[r]));
      const have = bitLength(k.bucket[r]);
      far += Math.abs(have - want);
      smaller += have < want ? 1 : 0;
    }
    return [far, smaller, bucketKey(k.bucket)];
  };
  const before = (a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
  return serving.map((k) => [distance(k), k]).reduce((best, x) => (before(x[0], best[0]) < 0 ? x : best))[1];
}

// -- loading ------------------------------------------------------------------------------

/** The bytes at url, read as a stream and refused past limit (never buffered whole first). */
async function fetchBytes(url, what, limit, signal = undefined) {
  let response;
  try {
    response = await fetch(url, { signal });
  } catch (err) {
    throw new AttnccError(`cannot fetch ${what} (${url}): ${err.message}`);
  }
  if (!response.ok) throw new AttnccError(`fetching ${what} (${url}) gave HTTP ${response.status}`);
  const tooLarge = () => new AttnccError(`${what} is larger than any file attncc writes (${limit} bytes); refusing it`);
  if (Number(response.headers.get("content-length")) > limit) throw tooLarge();
  if (!response.body) return response.arrayBuffer();
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof AttnccError) throw err;
    throw new AttnccError(`cannot read ${what} (${url}): ${err.message}`);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes.buffer;
}

/** The bytes of a library file, once its sha256 matches the manifest's. */
async function verifiedFile(base, ref, signal) {
  const url = new URL(ref.path, base);
  if (url.origin !== base.origin || !url.href.startsWith(base.href)) {
    throw new AttnccError(`${ref.path} leads outside the library ${base.href}; refusing it`);
  }
  const bytes = await fetchBytes(url, ref.path, MAX_FILE_BYTES, signal);
  const actual = await sha256Hex(bytes);
  if (actual !== ref.sha256) {
    throw new AttnccError(
      `${ref.path} in library ${base.href} does not match its sha256 in ${MANIFEST} ` +
        `(expected ${ref.sha256}, found ${actual}): it was changed or corrupted after export. ` +
        "Nothing was loaded. Fix: export the library again",
    );
  }
  return bytes;
}

const utf8 = (bytes, what) => {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new AttnccError(`${what} is not UTF-8 text`);
  }
};

/** The library at url (a directory URL, or its manifest.json), checked before anything is
 * used: the manifest (bounded JSON, every field, every field hash), the library digest when
 * one is pinned, every program text's and every webgpu file's sha256, and the adapter's
 * features. Options: { gpu } (requestDevice()'s; by default requested at the first run),
 * { target } ("webgpu"), { sha256 } (the library digest attncc export printed: a manifest
 * rewritten whole, hashes and all, is refused). Kernels compile at their first run. */
export async function loadLibrary(url, { gpu = null, target = "webgpu", sha256 = null } = {}) {
  let base = new URL(url, globalThis.location?.href);
  if (base.pathname.endsWith(`/${MANIFEST}`)) base = new URL(".", base);
  else if (!base.pathname.endsWith("/")) base = new URL(`${base.pathname}/`, base);
  if (sha256 !== null && !(typeof sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(sha256))) {
    throw new AttnccError(`sha256 pins a library by its digest, 64 hex digits (attncc export prints it); got ${describe(sha256)}`);
  }
  const where = new URL(MANIFEST, base).href;
  const text = utf8(await fetchBytes(where, MANIFEST, MAX_MANIFEST_BYTES), where);
  const manifest = await checkHashes(checkManifest(readJson(text, where), where));
  const digest = await libraryDigest(manifest);
  if (sha256 !== null && digest !== sha256.toLowerCase()) {
    throw new AttnccError(
      `library ${base.href} has digest ${digest}, not the pinned ${sha256.toLowerCase()}: it is not the library you pinned ` +
        "(exported again, or edited). Nothing was loaded. Fix: if it was exported again on purpose, pin the digest attncc export printed",
    );
  }
  const programs = Object.keys(manifest.programs).sort();
  if (!own(manifest.targets, target)) {
    throw new AttnccError(`library ${base.href} has no ${target} kernels; its targets: ${Object.keys(manifest.targets).join(", ") || "none"}`);
  }
  const wanted = [];
  for (const name of programs) {
    for (const entry of manifest.programs[name].kernels.filter((k) => k.target === target)) {
      for (const role of ["wgsl", "launch"]) {
        if (!own(entry.files, role)) throw new AttnccError(`the ${target} kernel of ${name} for ${bucketKey(entry.bucket)} has no ${role} file`);
      }
      wanted.push({ name, entry });
    }
  }
  // Every file first (the source text too): nothing compiles before all of them check out;
  // the first refusal cancels the fetches still in flight.
  const cancel = new AbortController();
  const refs = wanted.flatMap(({ entry }) => [entry.files.wgsl, entry.files.launch, entry.source.text]);
  const bytes = await Promise.all(refs.map((ref) => verifiedFile(base, ref, cancel.signal))).catch((err) => {
    cancel.abort();
    throw err;
  });
  const files = wanted.map((_, i) => bytes.slice(3 * i, 3 * i + 3));
  const kernels = new Map();
  wanted.forEach(({ name, entry }, i) => {
    const [wgsl, launchBytes] = files[i];
    const launch = readJson(utf8(launchBytes, entry.files.launch.path), entry.files.launch.path);
    if (!KINDS.object[0](launch) || launch.format !== FORMAT || launch.program !== name) {
      throw new AttnccError(`${entry.files.launch.path} is not the ${FORMAT} launch metadata of ${name}`);
    }
    // The fingerprint says what the exporting adapter offered; the kernel says what it needs.
    if (launch.f16 && gpu && !gpu.f16) {
      throw new AttnccError(`the kernel of ${name} for ${bucketKey(entry.bucket)} stores f16 tensors (shader-f16); this adapter lacks shader-f16`);
    }
    if (!kernels.has(name)) kernels.set(name, []);
    kernels.get(name).push({ entry, wgsl: utf8(wgsl, entry.files.wgsl.path), launch, kernel: null });
  });
  return new Library(base.href, manifest, target, kernels, gpu, digest);
}

/** A loaded kernel library: lib.run(program, inputs, options) or lib.kernel(program);
 * lib.sha256 is its digest (pin it with loadLibrary(url, { sha256 })). */
export class Library {
  constructor(url, manifest, target, kernels, gpu, sha256 = null) {
    this.url = url;
    this.manifest = manifest;
    this.target = target;
    this.gpu = gpu;
    this.sha256 = sha256;
    this._kernels = kernels instanceof Map ? kernels : new Map(Object.entries(kernels));
  }

  /** Names of the programs the library holds. */
  get programs() {
    return Object.keys(this.manifest.programs).sort();
  }

  /** One program's kernels (every bucket); a call picks the kernel for its shape. */
  kernel(program) {
    if (!own(this.manifest.programs, program)) {
      throw new AttnccError(`library ${this.url} has no program ${JSON.stringify(program)}; its programs: ${this.programs.join(", ") || "none"}`);
    }
    if (!this._kernels.has(program)) throw new AttnccError(`library ${this.url} has no ${this.target} kernel of ${program}`);
    return new LibraryKernel(this, program, this._kernels.get(program));
  }

  /** Outputs by name: lib.kernel(program).run(inputs, options). */
  async run(program, inputs, options = {}) {
    return this.kernel(program).run(inputs, options);
  }

  async device() {
    this.gpu ??= await requestDevice();
    return this.gpu;
  }
}

export class LibraryKernel {
  constructor(library, program, kernels) {
    this.library = library;
    this.program = program;
    this._kernels = kernels;
  }

  /** The buckets of the kernels, as text ("b=1,h=8,p=2048,..."). */
  get buckets() {
    return this._kernels.map((k) => bucketKey(k.entry.bucket));
  }

  /** Every rank's extent and every param's and let's value for a call (see bind). */
  bind(options = {}) {
    return bind(this._kernels[0].launch, options);
  }

  /** The manifest entry of the kernel that serves extents (every rank). */
  select(extents) {
    return selectKernel(this._kernels.map((k) => k.entry), extents, this.program, this.library.target);
  }

  /** Outputs by name for inputs by name and { shapes, extents, scalars } (as Kernel.run). */
  async run(inputs, options = {}) {
    const binding = this.bind(options);
    const entry = this.select(binding.extents);
    const chosen = this._kernels.find((k) => k.entry === entry);
    chosen.kernel ??= this.library.device().then((gpu) => new Kernel(gpu, chosen.wgsl, chosen.launch).compile());
    return (await chosen.kernel).dispatch(inputs, binding);
  }
}
