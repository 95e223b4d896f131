import { tf } from "../../src/backend/tf.js";
import { depthwiseBackpropFilterKernel } from "../../src/backend/kernels/depthwise-backprop.js";
import { conv2dBackpropInputKernel } from "../../src/backend/kernels/conv2d-backprop.js";
require("@tensorflow/tfjs-backend-wasm");
async function main() {
  await tf.setBackend("cpu"); (tf.backend() as any).firstUse = false;
  const cmp = async (f: () => tf.Tensor) => { await tf.setBackend("cpu"); const a = f().dataSync(); await tf.setBackend("wasm"); const b = f().dataSync(); let m=0,s=0; for (let i=0;i<a.length;i++){m=Math.max(m,Math.abs(a[i]-b[i])); s=Math.max(s,Math.abs(a[i]));} return (m/s).toExponential(1); };
  const time = (f: () => any) => { const once = () => { const t = f(); t.dataSync(); t.dispose(); }; once(); const t0 = performance.now(); for (let i=0;i<3;i++) once(); return ((performance.now()-t0)/3).toFixed(1); };
  await tf.setBackend("wasm");
  for (const method of ["taps","depthwiseConv"] as const) {
    if (tf.getKernel("DepthwiseConv2dNativeBackpropFilter","wasm")) tf.unregisterKernel("DepthwiseConv2dNativeBackpropFilter","wasm");
    tf.registerKernel({kernelName:"DepthwiseConv2dNativeBackpropFilter", backendName:"wasm", kernelFunc: depthwiseBackpropFilterKernel("wasm", method)});
    const row: string[] = [];
    for (const [xs, fs, st] of [[[8,64,64,32],[3,3,32,1],1],[[8,64,64,32],[3,3,32,1],2],[[8,32,32,64],[5,5,64,2],1],[[2,9,9,3],[3,3,3,2],2]] as any[]) {
      const x = tf.randomNormal(xs); const dy = tf.randomNormal(tf.depthwiseConv2d(x as any, tf.zeros(fs) as any, st, "same").shape);
      const run = () => tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", {x, dy}, {strides: st, pad: "same", dilations: 1, filterShape: fs} as any) as tf.Tensor;
      row.push(`${xs}|${fs}|s${st}: ${time(run)}ms err ${await cmp(run)}`);
      await tf.setBackend("wasm");
    }
    console.log(method, row.join("  "));
  }
  const native = tf.getKernel("Conv2DBackpropInput","wasm")!;
  for (const which of ["native","ours"]) {
    tf.unregisterKernel("Conv2DBackpropInput","wasm");
    tf.registerKernel(which === "native" ? native : {kernelName:"Conv2DBackpropInput", backendName:"wasm", kernelFunc: conv2dBackpropInputKernel("wasm")});
    const row: string[] = [];
    for (const [xs, fs, st, pad] of [[[8,128,128,3],[3,3,3,16],2,"same"],[[8,64,64,16],[3,3,16,32],2,"same"],[[8,16,16,64],[3,3,64,64],1,"same"],[[8,64,64,32],[3,3,32,32],1,"same"],[[2,9,10,3],[3,2,3,4],[2,3],"valid"],[[2,9,10,3],[3,3,3,4],[2,1],[[0,0],[2,1],[0,3],[0,0]]]] as any[]) {
      const x = tf.randomNormal(xs); const f = tf.randomNormal(fs); const dy = tf.conv2d(x as any, f as any, st, pad);
      const run = () => tf.conv2dTranspose(dy as any, f as any, xs, st, pad);
      row.push(`${fs}|s${st}: ${time(run)}ms err ${await cmp(run)}`);
      await tf.setBackend("wasm");
    }
    console.log(which, row.join("  "));
  }
}
main();
