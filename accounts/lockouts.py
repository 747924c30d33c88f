"""django-axes' lockout counts in the cache (Redis, when REDIS_URL is set), failing open when the cache cannot
answer: django-redis then returns None from add and incr, on which axes' own handler fails (a 500 on every wrong
password while Redis is down). A failure the cache could not count is counted as a first one."""

from axes.handlers.cache import AxesCacheHandler


class _FailOpenCache:
    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def add(self, *args, **kwargs):
        return self._cache.add(*args, **kwargs) is not False  # None: not counted, as if this were the first

    def incr(self, *args, **kwargs):
        count = self._cache.incr(*args, **kwargs)
        return 1 if count is None else count


class LockoutCacheHandler(AxesCacheHandler):
    def __init__(self):
        super().__init__()
        self.cache = _FailOpenCache(self.cache)
