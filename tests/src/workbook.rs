//! Bulk-order workbooks for end-to-end tests, shaped like the template users download
//! (`Bulk Orders` sheet, the template's header row, an `Instructions` sheet beside it).

use rust_xlsxwriter::Workbook;

/// One line of a bulk-order sheet; `None` leaves the cell empty.
#[derive(Debug, Clone, Default)]
pub struct Line {
    pub customer: String,
    pub sku: String,
    pub quantity: String,
    pub rate: Option<String>,
    pub remarks: Option<String>,
    pub order_ref: Option<String>,
}

impl Line {
    pub fn new(customer: &str, sku: &str, quantity: &str) -> Line {
        Line {
            customer: customer.into(),
            sku: sku.into(),
            quantity: quantity.into(),
            ..Line::default()
        }
    }

    pub fn order_ref(mut self, r: &str) -> Line {
        self.order_ref = Some(r.into());
        self
    }

    pub fn remarks(mut self, r: &str) -> Line {
        self.remarks = Some(r.into());
        self
    }
}

pub const HEADERS: [&str; 6] = [
    "Customer ID",
    "SKU Code",
    "Quantity",
    "Applied Rate (Optional)",
    "Remarks (Optional)",
    "Order Ref (Optional)",
];

/// The workbook's bytes. Every cell is written as text, as the old system's files are.
pub fn bulk_orders(lines: &[Line]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Bulk Orders").expect("sheet name");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        let cells = [
            Some(&l.customer),
            Some(&l.sku),
            Some(&l.quantity),
            l.rate.as_ref(),
            l.remarks.as_ref(),
            l.order_ref.as_ref(),
        ];
        for (c, v) in cells.into_iter().enumerate() {
            if let Some(v) = v {
                ws.write_string(r, c as u16, v).expect("cell");
            }
        }
    }
    let ins = wb.add_worksheet();
    ins.set_name("Instructions").expect("sheet name");
    ins.write_string(0, 0, "Field").expect("cell");
    wb.save_to_buffer().expect("workbook")
}
