import pytest

from bot.ratelimit import UserRateLimiter


def test_limit_per_user_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = UserRateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.check(1) == pytest.approx(60)
    assert limiter.check(2) == 0  # other users are not affected
    now[0] = 30
    assert limiter.check(1) == pytest.approx(30)
    now[0] = 60
    assert limiter.check(1) == 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="limit"):
        UserRateLimiter(0)


def test_a_flood_gets_one_notice_per_window() -> None:
    now = [0.0]
    limiter = UserRateLimiter(2, 60, clock=lambda: now[0])
    limited = [limiter.check(1) > 0 for _ in range(500)]
    notices = [limiter.should_notify(1) for limit in limited if limit]
    assert sum(limited) == 498 and notices.count(True) == 1
    now[0] = 61
    assert limiter.check(1) == 0 and limiter.should_notify(1), "a new window, a new notice"
