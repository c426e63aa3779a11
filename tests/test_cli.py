"""The `yingji` command: demo data and logins, users, tokens, imports (bad input in both languages), serve."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yingji.cli import app
from yingji.core.models import ApiToken, Organisation, Region, User
from yingji.core.roles import Role
from yingji.demo.users import DEMO_LOGINS, DEMO_PASSWORD

STRONG = "Quiet-Harbour-2026"
runner = CliRunner(env={"COLUMNS": "200"})


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


# --- demo ------------------------------------------------------------------------------------------------------


def test_demo_logins_prints_every_role_without_a_database():
    result = run("demo-logins")
    assert result.exit_code == 0, result.output
    for login in DEMO_LOGINS:
        assert login.username in result.output and login.label in result.output and login.org_name in result.output
    assert DEMO_PASSWORD in result.output
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)


def test_demo_data_builds_the_city_and_prints_the_logins(db):
    result = run("demo-data", "--seed", "11", "--years", "1")
    assert result.exit_code == 0, result.output
    assert "乡镇街道" in result.output and "120急救站" in result.output and "wjw_district" in result.output
    assert Region.objects.filter(code__startswith="99", level=4).count() == 80
    assert User.objects.get(username="dispatcher").organisation.kind == Organisation.Kind.EMS_CENTRE
    again = run("demo-data", "--seed", "11", "--years", "1")  # idempotent
    assert again.exit_code == 0 and Organisation.objects.filter(region__code__startswith="99").count() == 80


# --- createuser ---------------------------------------------------------------------------------------------


def test_createuser_rejects_a_bad_role_an_unknown_unit_and_a_weak_password_in_both_languages(city):
    result = run("createuser", "--username", "zhao", "--role", "boss", "--org", "NOPE", "--password-stdin",
                 input="12345\n")
    assert result.exit_code == 1
    out = result.output
    assert "角色“boss”无效" in out and "Unknown role 'boss'" in out
    assert "机构代码“NOPE”不存在" in out and "No organisation with code 'NOPE'" in out
    assert "密码太短" in out and "too short" in out
    assert "密码不能全是数字" in out and "entirely numeric" in out
    assert "用户未创建" in out and "The user was not created" in out
    assert not User.objects.filter(username="zhao").exists()


def test_createuser_rejects_a_role_that_does_not_suit_the_unit_and_a_taken_name(city):
    result = run("createuser", "--username", "wjw02", "--role", "dispatcher", "--org", city.a.cdc.code,
                 "--password-stdin", input=f"{STRONG}\n")
    assert result.exit_code == 1
    assert "用户名“wjw02”已存在" in result.output and "is taken" in result.output
    assert "120调度员" in result.output and "cannot belong" in result.output
    result = run("createuser", "--username", "qian", "--role", "cdc", "--password-stdin", input=f"{STRONG}\n")
    assert result.exit_code == 1 and "须属于一个机构" in result.output


def test_createuser_password_similar_to_the_name_is_refused(city):
    result = run("createuser", "--username", "liuxiaoming2026", "--role", "cdc", "--org", city.a.cdc.code,
                 "--password-stdin", input="liuxiaoming2026!\n")
    assert result.exit_code == 1 and "过于相似" in result.output and "too similar" in result.output


def test_createuser_with_a_prompted_password(city):
    result = run("createuser", "--username", "sun", "--role", "cdc", "--org", city.b.cdc.code, "--full-name", "孙悦",
                 input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="sun")
    assert user.role == Role.CDC and user.organisation == city.b.cdc and user.full_name == "孙悦"
    assert user.check_password(STRONG) and STRONG not in user.password
    assert "sun" in result.output and city.b.cdc.name in result.output


def test_createuser_admin_needs_no_unit(city):
    result = run("createuser", "--username", "ops", "--role", "admin", "--password-stdin", input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    ops = User.objects.get(username="ops")
    assert ops.is_platform_admin and ops.is_staff and ops.organisation is None


# --- create-token -------------------------------------------------------------------------------------------


def test_create_token_shows_the_key_once(city):
    user = city.a.users[Role.CDC]
    result = run("create-token", user.username, "医院信息系统")
    assert result.exit_code == 0, result.output
    key = next(word for word in result.output.split() if word.startswith(ApiToken.PREFIX))
    assert ApiToken.authenticate(key) == user
    assert key not in str(list(ApiToken.objects.values_list("key_hash", "key_hint", flat=False)))

    raw = run("create-token", user.username, "script", "--raw", "--days", "30")
    assert raw.exit_code == 0 and raw.output.strip().startswith(ApiToken.PREFIX) and len(raw.output.split()) == 1
    assert ApiToken.objects.get(name="script").expires_at is not None

    missing = run("create-token", "nobody", "x")
    assert missing.exit_code == 1 and "用户“nobody”不存在" in missing.output and "No user named" in missing.output


# --- imports ------------------------------------------------------------------------------------------------

ORGS_CSV = """机构代码,机构名称,机构类别,行政区划代码,医院等级,24小时值班电话,上级机构代码
HOS31,甲区妇幼保健院,医院,990102001,二级,0990-81234567,
HOS32,乙区骨科医院,医院,990103999,二级,0990-81234568,
HOS33,,医院,990103001,,abc,
"""


def test_import_orgs_with_bad_rows_reports_them_and_saves_nothing(city, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(ORGS_CSV.encode("utf-8-sig"))
    result = run("import-orgs", path)
    assert result.exit_code == 1
    out = result.output
    assert "990103999" in out and "不存在" in out and "does not exist" in out  # row 3: unknown region
    assert "name" in out and "duty_phone" in out  # row 4: no name, bad phone
    assert "未导入任何数据" in out and "nothing was imported" in out
    assert not Organisation.objects.filter(code__in=["HOS31", "HOS32", "HOS33"]).exists()


def test_import_orgs_valid_only_keeps_the_good_row(city, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(ORGS_CSV.encode("utf-8-sig"))
    result = run("import-orgs", path, "--valid-only", "--as", city.admin.username)
    assert result.exit_code == 0, result.output
    assert "1/3" in result.output
    assert Organisation.objects.filter(code="HOS31").exists() and not Organisation.objects.filter(code="HOS32").exists()


def test_import_orgs_as_a_district_user_cannot_reach_another_district(city, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("机构代码,机构名称,机构类别,行政区划代码,医院等级\nHOS41,乙区新医院,医院,990103001,一级\n",
                    encoding="utf-8")
    result = run("import-orgs", path, "--as", city.a.users[Role.HEALTH_COMMISSION].username)
    assert result.exit_code == 1 and "管辖范围" in result.output and "jurisdiction" in result.output
    assert not Organisation.objects.filter(code="HOS41").exists()


def test_import_refuses_missing_and_wrong_type_files(city, tmp_path):
    missing = run("import-regions", tmp_path / "nope.csv")
    assert missing.exit_code == 1 and "不存在" in missing.output and "does not exist" in missing.output
    fake = tmp_path / "regions.xlsx"
    fake.write_text("代码,名称\n990104,丙区\n", encoding="utf-8")
    result = run("import-regions", fake)
    assert result.exit_code == 1 and "文件类型不支持" in result.output and "Unsupported file type" in result.output
    assert not Region.objects.filter(pk="990104").exists()


def test_import_regions_commits_a_good_file(city, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("代码,名称,上级代码,年份,人口\n990104,丙区,990100,2025,420000\n990104001,丙区第一街道,,2025,81000\n",
                    encoding="utf-8")
    result = run("import-regions", path)
    assert result.exit_code == 0, result.output
    assert "2/2" in result.output
    assert Region.objects.get(pk="990104001").parent_id == "990104"


def test_import_without_any_administrator_says_what_to_do(db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("代码,名称\n990000,示范省\n", encoding="utf-8")
    result = run("import-regions", path)
    assert result.exit_code == 1 and "createuser --role admin" in result.output
    assert not Region.objects.exists()


# --- serve ----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_runs_gunicorn_with_static_files(tmp_path):
    """A real server in a throwaway YINGJI_VAR: static files through WhiteNoise, pages through Django."""
    yingji = Path(sys.executable).with_name("yingji")
    env = {**os.environ, "YINGJI_VAR": str(tmp_path), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)  # its own SQLite file, never the suite's database
    subprocess.run([yingji, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([yingji, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                status = _get(base + "/static/admin/css/base.css")
                break
            except (ConnectionError, urllib.error.URLError):
                if server.poll() is not None:
                    pytest.fail(f"serve exited: {server.stdout.read()}")
                time.sleep(0.3)
        else:
            pytest.fail("the server did not answer within 90 s")
        assert status == 200
        assert _get(base + "/admin/login/") == 200
        assert (tmp_path / "static" / "admin").is_dir()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in output


def test_an_unmigrated_database_gets_a_hint_not_a_traceback(tmp_path):
    yingji = Path(sys.executable).with_name("yingji")
    env = {**os.environ, "YINGJI_VAR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([yingji, "create-token", "admin", "x"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "yingji migrate" in result.stderr and "数据库错误" in result.stderr and "Traceback" not in result.stderr
