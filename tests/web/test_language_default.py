"""Chinese by default, whatever the browser asks for; English only when chosen."""
import pytest
from django.conf import settings


@pytest.mark.django_db
def test_browser_language_does_not_switch_to_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.headers.get("Content-Language", "zh-hans") == "zh-hans"


@pytest.mark.django_db
def test_chosen_language_cookie_switches(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"
