// worker: being written.
