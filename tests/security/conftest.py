import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The cast's passwords are hashed in every test: a fast hasher keeps the matrix quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
