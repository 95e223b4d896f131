/**
 * The single TensorFlow.js import of the library. Everything in dealkit takes `tf` from here, so the
 * backend chosen by initBackend() is the one every module uses.
 */
import * as tf from "@tensorflow/tfjs";

export { tf };
