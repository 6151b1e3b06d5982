"""The processing record: ``python -m sim privacy record --out FILE`` (Markdown).

Written from what the tool does, not typed by hand: the data fields are the roster schema's
columns (``sim.roster.schema.ROSTER``), the outputs and where they go are ``sim.roster.export``'s,
the retention is ``sim.roster.purge``'s. It is the technical part of the dossier the data
controller keeps (Law 91/2025/QH15 and Decree 356/2025/NĐ-CP; see the README for the articles);
the controller adds its own name, legal basis and signatures. A document of the Vietnamese dossier:
Vietnamese whatever the language setting, with English glosses in the headings.
"""

from __future__ import annotations

from pathlib import Path

from sim.results.write import write_atomic

RETENTION_MONTHS = 12


def record_text() -> str:
    from sim.roster.consent import CHILD_CONSENT_AGE
    from sim.roster.export import DELIVERY
    from sim.roster.pseudonym import KEY_ENV, default_key_path
    from sim.roster.schema import ROSTER
    from sim.roster.template import vietnamese

    fields = "\n".join(
        f"| {c.header} | `{c.name}` | {'có / yes' if c.personal else 'không / no'} | {'có' if c.required else 'không'} | "
        f"{vietnamese(c.description)} |" for c in ROSTER)
    return f"""# Hồ sơ hoạt động xử lý dữ liệu cá nhân / Record of processing — `sim`

Sinh tự động từ mã nguồn (generated from what the tool does). Bên kiểm soát dữ liệu bổ sung tên,
cơ sở pháp lý và chữ ký. / The data controller adds its name, legal basis and signatures.

## 1. Mục đích / Purpose

Chia sẻ máy tính và gói cước được tặng cho học sinh hộ nghèo, cận nghèo và trẻ mồ côi do Covid-19
(chương trình "Sóng và máy tính cho em"): lập kế hoạch theo số lượng, ghi tên người nhận cho danh sách
bàn giao, xác nhận bàn giao. Không dùng cho mục đích khác. / Sharing donated computers and data packages;
naming recipients on the handover lists; confirming handovers. No other purpose.

## 2. Dữ liệu đọc từ danh sách của trường / Data fields read from school rosters

| Cột | Tên | Dữ liệu nhận dạng trẻ em / identifies a child | Bắt buộc | Ý nghĩa |
|---|---|---|---|---|
{fields}

Trẻ em là chủ thể dữ liệu. Cần sự đồng ý của cha mẹ hoặc người giám hộ, và của trẻ từ đủ {CHILD_CONSENT_AGE} tuổi
(tuổi tính từ ngày sinh). Thiếu đồng ý mà kế hoạch yêu cầu (`--require-consent`) hoặc từ chối → tạm giữ để xem
xét, không lập kế hoạch; chỉ đếm số lượng trong báo cáo chia sẻ. / Children's consent: guardian always, the child
from age {CHILD_CONSENT_AGE}; without it the learner is held for review, counted only.

Mã học sinh được kiểm tra dạng (12 chữ số, mã tỉnh, thế kỷ/giới tính, năm sinh) và không bao giờ được in ra.

## 3. Đầu ra và nơi lưu / Outputs and where they go

| Đầu ra / output | Dữ liệu cá nhân / personal data | Ai được mở / who may open it |
|---|---|---|
| `OUT/{DELIVERY}/` (danh sách bàn giao theo huyện, trường; danh sách chờ có tên) | họ tên, ngày sinh, mã học sinh, số chứng nhận, SĐT, ghi chú | chỉ cán bộ bàn giao của huyện và hiệu trưởng trường liên quan; thư mục quyền 0700, tệp 0600 |
| `OUT/*.csv`, `schools.xlsx`, `assignment.json`, `roster_changes.csv` | không (bí danh HS-… thay cho mã) | có thể chia sẻ |
| sổ cái `ledger.sqlite` | bí danh (pseudonym), trường, huyện, thiết bị, ngày bàn giao; không tên, không mã | người quản lý kế hoạch |
| `sim publish` (trang HTML công khai) | không; số dưới 5 bị ẩn; không tên trường | công khai |
| thông báo lỗi, nhật ký, `roster check` | không (số dòng, không giá trị cá nhân) | người phân tích |

## 4. Bí danh và khoá / Pseudonyms and the key

Bí danh = `HS-` + 12 ký tự đầu của HMAC-SHA256(khoá, mã học sinh). Khoá nằm ngoài dự án và ngoài thư mục
kết quả: `--key-file`, biến môi trường `{KEY_ENV}`, hoặc `{default_key_path()}` (quyền 0600, tạo ngẫu nhiên
32 byte lần đầu). Không bao giờ ghi khoá vào kho mã (git) hay gửi kèm kết quả; chỉ in mã nhận dạng 8 ký tự của khoá.

## 5. Thời hạn lưu trữ / Retention

Danh sách bàn giao (`{DELIVERY}/`) và các tệp danh sách của trường được xoá sau khi kết thúc đợt bàn giao:
mặc định {RETENTION_MONTHS} tháng sau lần bàn giao cuối của đợt, bằng
`python -m sim roster purge --before NGÀY [--also roster.xlsx ...]`. Giữ lại: số liệu tổng hợp, bàn giao theo bí danh,
chuỗi kiểm toán (có một mục ghi lại việc xoá). / Delivery lists are deleted {RETENTION_MONTHS} months after the
round's last handover by default; aggregates, pseudonymised handovers and the audit chain stay.

## 6. Bảo đảm / Safeguards

Kiểm tra dữ liệu không in giá trị cá nhân; thư mục `{DELIVERY}/` được thay toàn bộ mỗi lần chạy; chuỗi băm kiểm
toán (`sim audit verify`); kế hoạch đã phê duyệt không sửa được; báo cáo công khai ẩn nhóm dưới 5 người.
"""


def write_record(path: str | Path) -> Path:
    return write_atomic(Path(path), record_text().encode("utf-8"), mode=0o644)
