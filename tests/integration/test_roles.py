"""Console roles (contract sections 2 and 9), through HTTP on the live stack: managers reach the
merchant's endpoints and the desk; operators and supervisors never reach uploads, templates or
exports; who may create managers."""
import uuid

import pytest

from tests.helpers import admin, anonymous, assert_problem, new_merchant, operator

PRODUCT = {"erp_product_id": "SKU-1", "name": "阿莫西林胶囊", "barcode": "6901234567892",
           "default_price": "12.50"}

# Every spreadsheet and export route: (method, path, body); {job} is filled in per test.
SHEET_ROUTES = [
    ("POST", "/v1/uploads", {"kind": "prices", "filename": "prices.xlsx"}),
    ("GET", "/v1/uploads", None),
    ("GET", "/v1/uploads/{job}", None),
    ("GET", "/v1/templates/prices.xlsx", None),
    ("GET", "/v1/templates/logistics.xlsx", None),
    ("POST", "/v1/exports/orders", {}),
    ("GET", "/v1/exports/{job}", None),
]


def _call(client, method, path, body):
    return client.request(method, path, body)


@pytest.fixture(scope="module")
def shop(stack):
    m = new_merchant(stack)
    export = m.client.post("/v1/exports/orders", {})
    assert export.status_code == 202, export.text
    m.export_job = export.json()["job_id"]
    upload = m.client.post("/v1/uploads", {"kind": "prices", "filename": "p.xlsx"})
    assert upload.status_code == 201, upload.text
    return m


@pytest.mark.parametrize("role", ["operator", "supervisor"])
def test_desk_roles_reach_no_upload_template_or_export(stack, shop, role):
    user = operator(stack, shop.merchant_id, role)
    for method, path, body in SHEET_ROUTES:
        answer = _call(user, method, path.format(job=shop.export_job), body)
        body = assert_problem(answer, 403, "forbidden")
        assert "upload_url" not in body and "download_url" not in body


def test_manager_reaches_uploads_templates_and_exports(stack, shop):
    manager = operator(stack, shop.merchant_id, "manager")
    upload = manager.post("/v1/uploads", {"kind": "prices", "filename": "by-manager.xlsx"})
    assert upload.status_code == 201, upload.text
    assert f"uploads/{shop.merchant_id}/prices/" in upload.json()["key"]
    assert manager.get("/v1/uploads").status_code == 200
    template = manager.get("/v1/templates/prices.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    export = manager.post("/v1/exports/orders", {})
    assert export.status_code == 202, export.text
    assert manager.get(f"/v1/exports/{export.json()['job_id']}").status_code == 200
    assert manager.get(f"/v1/exports/{shop.export_job}").status_code == 200


def test_manager_reaches_the_merchant_endpoints_and_the_desk(stack):
    m = new_merchant(stack)
    manager = operator(stack, m.merchant_id, "manager")
    put = manager.put("/v1/products", {"items": [PRODUCT]})
    assert put.status_code == 200 and put.json()["results"][0]["status"] == "ok", put.text
    assert manager.get("/v1/products/SKU-1").json()["name"] == PRODUCT["name"]
    # what the manager wrote is the merchant's own record
    assert m.client.get("/v1/products/SKU-1").status_code == 200
    stock = manager.put("/v1/inventory", {"items": [{"erp_product_id": "SKU-1", "on_hand": 5}]})
    assert stock.status_code == 200, stock.text
    assert manager.get("/v1/orders").status_code == 200
    assert manager.get("/v1/sync-switches").status_code == 200
    # the desk, supervisor duties included
    assert manager.get("/v1/desk/orders?stage=to_review").status_code == 200
    rules = manager.put("/v1/desk/carrier-rules", {"rules": [{"provinces": ["广东省"], "carrier_code": "SF"}]})
    assert rules.status_code == 200, rules.text
    assert manager.get("/v1/carriers").status_code == 200
    # never the platform admin's
    assert_problem(manager.post("/v1/admin/merchants", {"name": "x"}), 403, "forbidden")
    assert_problem(manager.put("/v1/admin/carriers/XX", {"name": "x"}), 403, "forbidden")


def test_a_manager_reaches_only_its_own_merchant(stack):
    a, b = new_merchant(stack), new_merchant(stack)
    assert b.client.put("/v1/products", {"items": [PRODUCT]}).status_code == 200
    manager_a = operator(stack, a.merchant_id, "manager")
    assert_problem(manager_a.get("/v1/products/SKU-1"), 404, "not_found")


def test_operators_and_supervisors_stay_off_merchant_endpoints(stack):
    m = new_merchant(stack)
    for role in ("operator", "supervisor"):
        user = operator(stack, m.merchant_id, role)
        assert_problem(user.put("/v1/products", {"items": [PRODUCT]}), 403, "forbidden")
        assert_problem(user.put("/v1/prices", {"items": [{"erp_product_id": "SKU-1", "default_price": "1.00"}]}),
                       403, "forbidden")
        assert user.get("/v1/desk/orders?stage=to_review").status_code == 200


def _new_user(role):
    return {"username": f"{role}-{uuid.uuid4().hex[:6]}", "password": "password-2", "role": role}


def test_who_creates_managers(stack):
    m = new_merchant(stack)
    supervisor = operator(stack, m.merchant_id, "supervisor")
    manager = operator(stack, m.merchant_id, "manager")
    refused = _new_user("manager")
    assert_problem(supervisor.post("/v1/desk/operators", refused), 403, "forbidden")
    assert supervisor.post("/v1/desk/operators", _new_user("supervisor")).status_code == 201
    assert supervisor.post("/v1/desk/operators", _new_user("operator")).status_code == 201
    assert m.client.post("/v1/desk/operators", _new_user("manager")).status_code == 201
    assert manager.post("/v1/desk/operators", _new_user("manager")).status_code == 201
    made = admin(stack).post(f"/v1/admin/merchants/{m.merchant_id}/operators", _new_user("manager"))
    assert made.status_code == 201 and made.json()["role"] == "manager"
    assert_problem(operator(stack, m.merchant_id, "operator").post("/v1/desk/operators", _new_user("operator")),
                   403, "forbidden")
    # the refused manager does not exist: nobody can log in as it
    users = {u["username"]: u["role"] for u in m.client.get("/v1/desk/operators?limit=100").json()["items"]}
    assert refused["username"] not in users and list(users.values()).count("manager") == 4
    login = anonymous(stack).post("/v1/console/sessions", {"merchant_id": m.merchant_id,
                                                           "username": refused["username"], "password": "password-2"})
    assert_problem(login, 401, "unauthenticated")


def test_users_list_for_the_console(stack):
    m = new_merchant(stack)
    names = {operator(stack, m.merchant_id, role).username: role
             for role in ("operator", "supervisor", "manager")}
    for reader in (m.client, operator(stack, m.merchant_id, "supervisor"), operator(stack, m.merchant_id, "manager")):
        answer = reader.get("/v1/desk/operators")
        assert answer.status_code == 200, answer.text
        listed = {u["username"]: u for u in answer.json()["items"]}
        assert {n: listed[n]["role"] for n in names} == names
        for user in listed.values():
            assert set(user) == {"username", "role", "disabled", "created_at", "updated_at"}
            assert user["disabled"] is False
        assert "scrypt" not in answer.text and "password" not in answer.text
    assert_problem(operator(stack, m.merchant_id, "operator").get("/v1/desk/operators"), 403, "forbidden")
    assert_problem(anonymous(stack).get("/v1/desk/operators"), 401, "unauthenticated")


def test_users_list_is_paged(stack):
    m = new_merchant(stack)
    for i in range(3):
        assert m.client.post("/v1/desk/operators", {"username": f"u{i}", "password": "password-2",
                                                    "role": "operator"}).status_code == 201
    first = m.client.get("/v1/desk/operators?limit=2").json()
    assert [u["username"] for u in first["items"]] == ["u0", "u1"] and first["next_cursor"]
    rest = m.client.get(f"/v1/desk/operators?limit=2&cursor={first['next_cursor']}").json()
    assert [u["username"] for u in rest["items"]] == ["u2"]
    other = new_merchant(stack)
    assert_problem(other.client.get(f"/v1/desk/operators?cursor={first['next_cursor']}"), 422, "validation_error")
