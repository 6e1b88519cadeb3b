// redis_config: being written.
