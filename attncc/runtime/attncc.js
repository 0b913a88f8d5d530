// attncc.js — run attncc's WebGPU kernels in a browser. A dependency-free ES module.
//
// A lowered program is two files written by attncc (WebGpuTarget.save): WGSL holding one or
// more compute kernels, each after a line "//// attncc kernel: NAME", and launch metadata
// (JSON, format "attncc-webgpu-launch/1"). This module reads them with the same rules as
// attncc's Python runtime (attncc/targets/webgpu_launch.py):
//   * buffers: inputs, outputs and intermediates ("temp"), each with its ranks and device
//     element type (f32, f16, i32); i8 / bool inputs are widened to i32, f16 inputs to f32
//     when the kernel was lowered without shader-f16;
//   * a kernel's workgroups: ceil(prod(factors) / div), a factor being ceil(extent / per) or
//     a constant; more than 65,535 fold into z;
//   * its PODArgs uniform: the fields in order, 4 bytes each, little endian, packGridDimX =
//     workgroups + pack_offset, padded to 16 bytes.
//
//   import { requestDevice, loadKernel } from "./attncc.js";
//   const gpu = await requestDevice();
//   const kernel = await loadKernel(gpu, "gqa.wgsl", "gqa.json");
//   const { O } = await kernel.run({ Q, K, V }, { extents: { b: 1, h: 8, ... }, scalars: { W: 256 } });

export const FORMAT = "attncc-webgpu-launch/1";
export const KERNEL_MARK = "//// attncc kernel: ";
export const MAX_GROUPS = 65535;

/** The adapter and device, with shader-f16 when offered (WebGPU's default limits). */
export async function requestDevice(options = {}) {
  if (!globalThis.navigator || !navigator.gpu) {
    throw new Error("attncc: this browser has no WebGPU (navigator.gpu is missing)");
  }
  const adapter = await navigator.gpu.requestAdapter(options);
  if (!adapter) throw new Error("attncc: no WebGPU adapter");
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
      if (!(f.rank in extents)) throw new Error(`attncc: the extent of rank ${f.rank} is missing`);
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
      if (!src) throw new Error(`attncc: PODArgs field ${field.name} has no source`);
      const table = src.kind === "extent" ? extents : scalars;
      if (!(src.of in table)) {
        throw new Error(`attncc: kernel ${kernel.entry} needs the ${src.kind} ${src.of}; pass it`);
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

/** Rank extents read from input shapes ({Q: [1, 8, 100, 64], ...}) by the buffers' ranks. */
export function extentsFromShapes(launch, shapes) {
  const extents = {};
  for (const b of launch.buffers) {
    const shape = shapes[b.arg];
    if (b.role !== "input" || !shape) continue;
    b.ranks.forEach((r, i) => {
      if (r in extents && extents[r] !== shape[i]) {
        throw new Error(`attncc: rank ${r} is ${extents[r]} and ${shape[i]} in ${b.arg}`);
      }
      extents[r] = shape[i];
    });
  }
  return extents;
}

const TYPED = { f32: Float32Array, f16: Uint16Array, i32: Int32Array };

/** An input as its device buffer's element type (i8 / bool → i32; f16 bits → f32). */
function deviceArray(b, data) {
  if (b.type === "i32") {
    return data instanceof Int32Array ? data : Int32Array.from(data, Number);
  }
  if (b.type === "f16") {
    if (!(data instanceof Uint16Array)) {
      throw new Error(`attncc: input ${b.arg} is f16: pass its bits as a Uint16Array`);
    }
    return data;
  }
  if (b.dtype === "f16" && data instanceof Uint16Array) return f16ToF32(data);
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

function count(ranks, extents) {
  return ranks.reduce((n, r) => {
    if (!(r in extents)) throw new Error(`attncc: the extent of rank ${r} is missing`);
    return n * extents[r];
  }, 1);
}

/** A lowered program on a device: pipelines built once, run many times. */
export class Kernel {
  constructor(gpu, wgsl, launch) {
    if (launch.format !== FORMAT) {
      throw new Error(`attncc: launch metadata format ${launch.format}, expected ${FORMAT}`);
    }
    if (launch.f16 && !gpu.f16) {
      throw new Error(
        "attncc: this kernel stores f16 tensors but the adapter lacks shader-f16; " +
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
        if (!(k.entry in texts)) throw new Error(`attncc: no WGSL for kernel ${k.entry}`);
        const module = device.createShaderModule({ code: texts[k.entry] });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === "error");
        if (errors.length) {
          const lines = errors.map((m) => `${m.lineNum}:${m.linePos}: ${m.message}`);
          throw new Error(`attncc: WGSL of kernel ${k.entry} does not compile:\n${lines.join("\n")}`);
        }
        return device.createComputePipelineAsync({
          layout: "auto",
          compute: { module, entryPoint: k.entry },
        });
      }),
    );
    return this;
  }

  /** Outputs by name (Float32Array / Int32Array) for inputs by name, their { shapes } (rank
   * extents are read from them) and { extents } of ranks no input has (a paged cache's
   * sequence length), { scalars }: params (defaults fill the rest) and lets. */
  async run(inputs, { extents = {}, shapes = {}, scalars = {} } = {}) {
    const { device } = this.gpu;
    const launch = this.launch;
    if (!this.pipelines) await this.compile();
    device.pushErrorScope("validation");
    extents = { ...extentsFromShapes(launch, shapes), ...extents };
    const params = { ...scalars };
    for (const [name, p] of Object.entries(launch.params ?? {})) {
      if (!(name in params) && p.default != null) params[name] = p.default;
    }
    const buffers = {};
    const outputs = [];
    const temporary = [];
    for (const b of launch.buffers) {
      const n = count(b.ranks, extents);
      const bytes = Math.max(4, Math.ceil((n * (b.type === "f16" ? 2 : 4)) / 4) * 4);
      if (b.role === "input") {
        if (!(b.arg in inputs)) throw new Error(`attncc: missing input ${b.arg}`);
        const data = deviceArray(b, inputs[b.arg]);
        if (data.length !== n) {
          throw new Error(`attncc: input ${b.arg} has ${data.length} elements, expected ${n}`);
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
      const pod = podBytes(k, launch.scalars, extents, params, groups);
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
    if (error) throw new Error(`attncc: WebGPU rejected the dispatch: ${error.message}`);
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
  if (!response.ok) throw new Error(`attncc: fetching ${source} gave HTTP ${response.status}`);
  return response.text();
}

/** A Kernel from WGSL and launch metadata, each given as a URL or as its content. */
export async function loadKernel(gpu, wgsl, launch) {
  const code = await text(wgsl, (s) => s.includes("@compute"));
  let meta = launch;
  if (typeof launch === "string") meta = JSON.parse(await text(launch, (s) => s.trim().startsWith("{")));
  return new Kernel(gpu, code, meta).compile();
}
