// redis_client: being written.
