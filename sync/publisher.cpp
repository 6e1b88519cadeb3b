// publisher: being written.
