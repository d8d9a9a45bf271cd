"""Held-out NLU sentences, written separately from nlu_source/ and never used for training.

scripts/eval.py parses each one with the trained model and reports intent accuracy per style.
"""

HOLDOUT: dict[str, dict[str, list[str]]] = {
    "greet": {
        "diacritics": ["chào trợ lý nhé", "xin chào, cho mình hỏi chút", "dạ chào anh chị"],
        "plain": ["xin chao ban", "chao tro ly", "chao buoi sang ad"],
        "shorthand": ["hi ad oi", "alo ad", "chao e nha"],
    },
    "goodbye": {
        "diacritics": ["thôi mình đi nhé, chào", "hẹn gặp lại bạn", "tạm biệt nha"],
        "plain": ["tam biet ban nhe", "hen gap lai", "thoi minh di day"],
        "shorthand": ["bb nha", "bai ad", "pp nhe"],
    },
    "thank": {
        "diacritics": ["cảm ơn bạn rất nhiều", "em cám ơn ạ", "cảm ơn nhé, rõ rồi"],
        "plain": ["cam on nhieu nha", "cam on ban", "cam on tro ly"],
        "shorthand": ["tks nha", "thanks ad nhiu", "ok tks ad"],
    },
    "affirm": {
        "diacritics": ["vâng đúng rồi", "ừ được", "đúng thế"],
        "plain": ["dung roi", "vang a", "dong y"],
        "shorthand": ["uk dung r", "oke ad", "ok luon"],
    },
    "deny": {
        "diacritics": ["không phải đâu", "sai rồi bạn ơi", "không cần đâu"],
        "plain": ["khong phai", "sai roi", "khong can"],
        "shorthand": ["ko phai", "k can dau", "hong phai"],
    },
    "bot_challenge": {
        "diacritics": [
            "bạn là máy hay người vậy",
            "đây có phải bot không",
            "có phải người thật đang trả lời không",
        ],
        "plain": ["ban la nguoi hay may", "day la bot a", "co nguoi that tra loi khong"],
        "shorthand": ["ad la bot ha", "ng that hay bot v", "bot tra loi ha"],
    },
    "ask_tariff": {
        "diacritics": [
            "giá điện từng bậc hiện nay là bao nhiêu",
            "bảng giá điện sinh hoạt mới",
            "một kWh điện bậc 2 giá bao nhiêu",
        ],
        "plain": [
            "gia dien sinh hoat hien nay",
            "bieu gia dien bac thang moi",
            "gia dien bac 5 bao nhieu",
        ],
        "shorthand": ["gia dien bac 2 bn v ad", "1 so dien gia bn", "bang gia dien moi nhat a"],
    },
    "calculate_bill": {
        "diacritics": [
            "dùng 320 số thì tiền điện bao nhiêu",
            "tháng này 410 kWh hết bao nhiêu tiền",
            "tính giúp tôi tiền điện 180 số",
        ],
        "plain": [
            "dung 320 so thi tien dien bao nhieu",
            "thang nay 410 kwh het bao nhieu tien",
            "tinh tien dien 180 so",
        ],
        "shorthand": [
            "320 so het bn tien ad",
            "xai 410 ky bn tien v",
            "tinh tien dien 180 so dum e",
        ],
    },
    "ask_kwh_for_budget": {
        "diacritics": [
            "có 700 nghìn thì dùng được bao nhiêu số điện",
            "muốn trả dưới 1 triệu thì dùng bao nhiêu kWh",
            "với nửa triệu dùng được mấy số",
        ],
        "plain": [
            "co 700 nghin thi dung duoc bao nhieu so dien",
            "muon tra duoi 1 trieu thi dung bao nhieu kwh",
            "voi nua trieu dung duoc may so",
        ],
        "shorthand": [
            "700k dung dc bn so dien",
            "1tr thi xai dc bn kwh v",
            "nua tr xai dc may so ad",
        ],
    },
    "ask_peak_hours": {
        "diacritics": [
            "khung giờ cao điểm điện hiện nay",
            "giờ nào nên hạn chế dùng điện",
            "tối mấy giờ là cao điểm",
        ],
        "plain": [
            "khung gio cao diem dien",
            "gio nao nen han che dung dien",
            "toi may gio la cao diem",
        ],
        "shorthand": ["gio cao diem may h v ad", "may h thap diem", "cao diem toi may h"],
    },
    "ask_bill_spike": {
        "diacritics": [
            "sao tháng này tiền điện tăng nhiều thế",
            "hóa đơn điện tăng gần gấp đôi là sao",
            "vì sao tiền điện nhà tôi cao đột biến",
        ],
        "plain": [
            "sao thang nay tien dien tang nhieu the",
            "hoa don dien tang gan gap doi la sao",
            "vi sao tien dien nha toi cao dot bien",
        ],
        "shorthand": [
            "sao tien dien thang nay tang nhiu v",
            "hd dien tang gap doi la sao ad",
            "tien dien tang qua sao v",
        ],
    },
    "ask_projected_bill": {
        "diacritics": [
            "kỳ này nhà tôi dự kiến trả bao nhiêu tiền điện",
            "ước tính hóa đơn tháng này giúp mình",
            "tháng này chắc hết khoảng bao nhiêu tiền điện",
        ],
        "plain": [
            "thang nay du kien het bao nhieu",
            "uoc tinh tien dien ky nay",
            "du bao hoa don dien",
        ],
        "shorthand": [
            "thang nay du kien het bn ad",
            "ky nay chac het bn tien dien",
            "uoc tinh hd thang nay dc ko",
        ],
    },
    "set_budget": {
        "diacritics": [
            "báo tôi khi tiền điện vượt 900 nghìn",
            "đặt hạn mức 300 số mỗi tháng",
            "cài ngân sách tiền điện 600k",
        ],
        "plain": ["dat han muc 700k", "bao khi tien dien qua 1 trieu", "han muc 200 so"],
        "shorthand": ["dat han muc 500k nha ad", "vuot 800k thi bao e", "cai han muc 250 so dc ko"],
    },
    "clear_budget": {
        "diacritics": [
            "bỏ hạn mức giúp tôi",
            "xóa hạn mức tiền điện đi",
            "không cần báo vượt hạn mức nữa",
        ],
        "plain": ["bo han muc di", "huy han muc tien dien", "xoa ngan sach dien"],
        "shorthand": ["bo han muc nha ad", "ko can han muc nua", "huy han muc dc ko"],
    },
    "check_my_usage": {
        "diacritics": [
            "nhà tôi tháng này dùng bao nhiêu điện rồi",
            "mức dùng điện nhà tôi có bất thường không",
            "xem giúp tiêu thụ điện nhà em",
        ],
        "plain": [
            "nha toi thang nay dung bao nhieu dien roi",
            "muc dung dien nha toi co bat thuong khong",
            "xem tieu thu dien nha em",
        ],
        "shorthand": [
            "nha e thang nay xai bn dien r",
            "dien nha e co bat thuong ko",
            "xem muc dung dien nha mk",
        ],
    },
    "report_meter_reading": {
        "diacritics": [
            "chỉ số công tơ nhà tôi là 5678",
            "đồng hồ điện hôm nay chỉ 13579",
            "báo chỉ số điện giúp em",
        ],
        "plain": [
            "chi so cong to nha toi la 5678",
            "dong ho dien hom nay chi 13579",
            "bao chi so dien giup em",
        ],
        "shorthand": [
            "cong to nha e 5678 nha",
            "chi so dong ho 13579 ad",
            "bao chi so cong to dum",
        ],
    },
    "ask_saving_tips": {
        "diacritics": [
            "có mẹo nào tiết kiệm điện không",
            "máy lạnh để bao nhiêu độ là tiết kiệm",
            "bình nóng lạnh dùng sao cho đỡ tốn điện",
        ],
        "plain": [
            "co meo nao tiet kiem dien khong",
            "may lanh de bao nhieu do la tiet kiem",
            "binh nong lanh dung sao cho do ton dien",
        ],
        "shorthand": [
            "meo tiet kiem dien j ko ad",
            "dh de may do tiet kiem",
            "lam sao giam tien dien v",
        ],
    },
    "ask_energy_label": {
        "diacritics": [
            "nhãn năng lượng 5 sao nghĩa là gì",
            "mua tủ lạnh nên xem nhãn năng lượng thế nào",
            "nhãn xanh tiết kiệm năng lượng là gì",
        ],
        "plain": [
            "nhan nang luong 5 sao nghia la gi",
            "xem nhan nang luong the nao",
            "nhan xanh tiet kiem nang luong la gi",
        ],
        "shorthand": [
            "nhan nang luong 5 sao la j",
            "mua dh nhan may sao",
            "nhan nang luong xem ntn",
        ],
    },
    "ask_solar": {
        "diacritics": [
            "lắp điện mặt trời trên mái có đáng không",
            "pin mặt trời cho nhà ở giá bao nhiêu",
            "máy nước nóng năng lượng mặt trời có nên mua",
        ],
        "plain": [
            "lap dien mat troi tren mai co dang khong",
            "pin mat troi cho nha o gia bao nhieu",
            "may nuoc nong nang luong mat troi co nen mua",
        ],
        "shorthand": [
            "lap dien mat troi co loi ko ad",
            "pin mat troi bn tien",
            "solar mai nha co nen ko",
        ],
    },
    "ask_outage_schedule": {
        "diacritics": [
            "tuần này khu tôi có lịch cắt điện không",
            "lịch cúp điện ngày mai",
            "khi nào khu mình bị cắt điện",
        ],
        "plain": [
            "tuan nay khu toi co lich cat dien khong",
            "lich cup dien ngay mai",
            "khi nao khu minh bi cat dien",
        ],
        "shorthand": ["tuan nay co cat dien ko ad", "lich cup dien mai v", "bao h cat dien khu e"],
    },
    "report_outage": {
        "diacritics": [
            "nhà tôi đang mất điện",
            "khu này vừa bị cúp điện",
            "mất điện cả tiếng rồi chưa có",
        ],
        "plain": [
            "nha toi dang mat dien",
            "khu nay vua bi cup dien",
            "mat dien ca tieng roi chua co",
        ],
        "shorthand": ["nha e mat dien r", "cup dien r ad", "mat dien nay gio chua co"],
    },
    "subscribe_notifications": {
        "diacritics": [
            "tôi muốn nhận thông báo cắt điện",
            "gửi mẹo tiết kiệm cho tôi mỗi tuần",
            "bật cảnh báo tiêu thụ điện",
        ],
        "plain": [
            "toi muon nhan thong bao cat dien",
            "gui meo tiet kiem cho toi moi tuan",
            "bat canh bao tieu thu dien",
        ],
        "shorthand": [
            "bat thong bao cho e nha",
            "dang ky nhan tin cat dien",
            "gui meo moi tuan cho mk",
        ],
    },
    "unsubscribe_notifications": {
        "diacritics": [
            "đừng gửi thông báo cho tôi nữa",
            "tôi muốn tắt tin nhắn mẹo",
            "hủy nhận cảnh báo",
        ],
        "plain": [
            "dung gui thong bao cho toi nua",
            "toi muon tat tin nhan meo",
            "huy nhan canh bao",
        ],
        "shorthand": ["tat thong bao giup e", "ko nhan tin nua", "huy dang ky thong bao"],
    },
    "request_human": {
        "diacritics": [
            "cho tôi nói chuyện với nhân viên",
            "tôi muốn gặp người tư vấn",
            "chuyển tôi sang tổng đài viên",
        ],
        "plain": [
            "cho toi noi chuyen voi nhan vien",
            "toi muon gap nguoi tu van",
            "chuyen sang tong dai vien",
        ],
        "shorthand": ["cho gap nv di", "muon gap ng that", "ket noi nhan vien dum"],
    },
    "delete_my_data": {
        "diacritics": [
            "xóa hết dữ liệu của tôi đi",
            "tôi không muốn lưu thông tin nữa, xóa đi",
            "xóa tài khoản của tôi",
        ],
        "plain": [
            "xoa het du lieu cua toi",
            "khong muon luu thong tin nua xoa di",
            "xoa tai khoan cua toi",
        ],
        "shorthand": ["xoa du lieu cua e di", "xoa tk cua mk", "xoa het tt cua t"],
    },
    "out_of_scope": {
        "diacritics": [
            "hôm nay trời có mưa không",
            "giá vàng SJC bao nhiêu",
            "kể cho tôi một câu chuyện",
        ],
        "plain": ["hom nay troi co mua khong", "gia vang bao nhieu", "ke chuyen di"],
        "shorthand": ["toi nay an j", "gia xang bn v", "hat di ad"],
        # keyboard mashing and punctuation, none of it in the training data
        "nonsense": ["zxcvbnm", "qwer asdf", "lkjhgf", "qazwsx", "..", "?!?", "ppppp", "xcvb nm"],
    },
}
