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
