//! `ChatBackground`: an immutable Python view of the core's `ChatBackground`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A chat's background as the API describes it. Every attribute is ``None`` when the server did
/// not send it; ``changed`` is only sent in answer to a set.
#[pyclass(frozen, eq, hash, module = "blooio_native", name = "ChatBackground")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ChatBackground(blooio_core::ChatBackground);

impl From<blooio_core::ChatBackground> for ChatBackground {
    fn from(inner: blooio_core::ChatBackground) -> Self {
        ChatBackground(inner)
    }
}

/// The attribute names, in the order `repr` and `to_dict` give them.
const FIELDS: [&str; 6] = [
    "chat_id",
    "has_background",
    "background_id",
    "background_url",
    "background_version",
    "changed",
];

impl ChatBackground {
    /// The six attributes as Python objects, in [`FIELDS`] order.
    fn values<'py>(&self, py: Python<'py>) -> PyResult<[Bound<'py, PyAny>; 6]> {
        let b = &self.0;
        Ok([
            b.chat_id.as_deref().into_pyobject(py)?,
            b.has_background.into_pyobject(py)?.into_any(),
            b.background_id.as_deref().into_pyobject(py)?,
            b.background_url.as_deref().into_pyobject(py)?,
            b.background_version.into_pyobject(py)?,
            b.changed.into_pyobject(py)?.into_any(),
        ])
    }
}

#[pymethods]
impl ChatBackground {
    /// Builds one by hand (for tests and fakes); the client builds them from responses.
    #[new]
    #[pyo3(signature = (
        *, chat_id=None, has_background=None, background_id=None, background_url=None,
        background_version=None, changed=None
    ))]
    fn new(
        chat_id: Option<String>,
        has_background: Option<bool>,
        background_id: Option<String>,
        background_url: Option<String>,
        background_version: Option<i64>,
        changed: Option<bool>,
    ) -> Self {
        ChatBackground(blooio_core::ChatBackground {
            chat_id,
            has_background,
            background_id,
            background_url,
            background_version,
            changed,
            ..Default::default()
        })
    }

    /// The normalised chat id (phone number, email or group id).
    #[getter]
    fn chat_id(&self) -> Option<&str> {
        self.0.chat_id.as_deref()
    }

    /// Whether the chat has a background.
    #[getter]
    fn has_background(&self) -> Option<bool> {
        self.0.has_background
    }

    /// The current background's id.
    #[getter]
    fn background_id(&self) -> Option<&str> {
        self.0.background_id.as_deref()
    }

    /// A public URL of the stored image.
    #[getter]
    fn background_url(&self) -> Option<&str> {
        self.0.background_url.as_deref()
    }

    /// The background's version, for cache invalidation.
    #[getter]
    fn background_version(&self) -> Option<i64> {
        self.0.background_version
    }

    /// Whether this set changed the background (``None`` on get).
    #[getter]
    fn changed(&self) -> Option<bool> {
        self.0.changed
    }

    /// All six attributes as a new dict, absent ones as ``None``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in FIELDS.into_iter().zip(self.values(py)?) {
            dict.set_item(name, value)?;
        }
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut out = String::from("ChatBackground(");
        for (i, (name, value)) in FIELDS.into_iter().zip(self.values(py)?).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push('=');
            out.push_str(&value.repr()?.to_cow()?);
        }
        out.push(')');
        Ok(out)
    }

    /// Pickling and `copy`: rebuilt through the keyword-only constructor.
    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        Ok((PyTuple::empty(py), self.to_dict(py)?))
    }
}
