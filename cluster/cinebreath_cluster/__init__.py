"""Train Cinebreath's networks on a cluster with PyTorch DistributedDataParallel.

The notebook exports a project's dataset as a .tar of .npy arrays; this package trains the
same networks on it (autoencoder, then frozen-encoder scene and gas heads) and writes each
model as the notebook's own TensorFlow.js layers files, which the notebook imports like any
other model. See docs/cluster.md.
"""
