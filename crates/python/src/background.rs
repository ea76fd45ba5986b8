//! `ChatBackground`: an immutable Python view of the core's `ChatBackground`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// A chat's background as the API describes it. Every attribute is ``None`` when the server did
/// not send it; ``changed`` is only sent in answer to a set. ``request_id`` and ``attempts``
/// describe the call that fetched it; equality and hashing (the core's) and ``to_dict`` leave
/// them out.
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
        background_version=None, changed=None, request_id=None, attempts=0
    ))]
    // One parameter per keyword argument of the Python constructor.
    #[allow(clippy::too_many_arguments)]
    fn new(
        chat_id: Option<String>,
        has_background: Option<bool>,
        background_id: Option<String>,
        background_url: Option<String>,
        background_version: Option<i64>,
        changed: Option<bool>,
        request_id: Option<String>,
        attempts: u32,
    ) -> Self {
        ChatBackground(blooio_core::ChatBackground {
            chat_id,
            has_background,
            background_id,
            background_url,
            background_version,
            changed,
            request_id,
            attempts,
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

    /// The ``x-request-id`` of the response this came from (quote it to Blooio support), or
    /// ``None`` when the server sent none.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// How many HTTP attempts the call took (1 unless it was retried; 0 when built by hand).
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The API's six attributes as a new dict, absent ones as ``None``.
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
        let request_id = self.0.request_id.as_deref().into_pyobject(py)?;
        out.push_str(", request_id=");
        out.push_str(&request_id.repr()?.to_cow()?);
        out.push_str(&format!(", attempts={})", self.0.attempts));
        Ok(out)
    }

    /// Pickling and `copy`: rebuilt through the keyword-only constructor.
    fn __getnewargs_ex__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        let kwargs = self.to_dict(py)?;
        kwargs.set_item("request_id", self.0.request_id.as_deref())?;
        kwargs.set_item("attempts", self.0.attempts)?;
        Ok((PyTuple::empty(py), kwargs))
    }
}
