/**
 * The custom layers the paper's networks need beyond tfjs-layers. Importing this module registers
 * them for (de)serialisation; anything that rebuilds a saved model must import it first.
 */
export { UpSampling3D } from './upsampling3d';
export { ZeroPadding3D } from './zero-padding3d';
export { BatchNormalization } from './batch-norm';
export { SplitDense, planBlocks, mergeSplitKernel } from './split-dense';
export { MaxPooling3DWithSwitches, Unpooling3D } from './switch-pooling';
