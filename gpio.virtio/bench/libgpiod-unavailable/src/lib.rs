//! Only the API surface that vhost-device-gpio's `PhysDevice` compiles against,
//! with every entry point failing: see Cargo.toml for why this exists.

/// The only error: no real GPIO chip support in this build.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Error {
    NotBuiltWithLibgpiod,
}

pub type Result<T> = std::result::Result<T, Error>;

fn unavailable<T>() -> Result<T> {
    Err(Error::NotBuiltWithLibgpiod)
}

pub mod chip {
    use super::{line, request, unavailable, Result};

    pub struct Chip;
    pub struct Info;

    impl Chip {
        pub fn open<P: AsRef<std::path::Path>>(_path: &P) -> Result<Self> {
            unavailable()
        }
        pub fn info(&self) -> Result<Info> {
            unavailable()
        }
        pub fn line_info(&self, _offset: u32) -> Result<line::Info> {
            unavailable()
        }
        pub fn request_lines(
            &self,
            _request_config: Option<&request::Config>,
            _line_config: &line::Config,
        ) -> Result<request::Request> {
            unavailable()
        }
    }

    impl Info {
        pub fn num_lines(&self) -> usize {
            0
        }
    }
}

pub mod line {
    use super::{unavailable, Result};

    pub enum Direction {
        AsIs,
        Input,
        Output,
    }

    pub enum Edge {
        Rising,
        Falling,
        Both,
    }

    pub enum Value {
        InActive = 0,
        Active = 1,
    }

    pub struct Info;
    pub struct Settings;
    pub struct Config;

    impl Value {
        pub fn new(_value: i32) -> Result<Self> {
            unavailable()
        }
    }

    impl Info {
        pub fn name(&self) -> Result<&str> {
            unavailable()
        }
        pub fn direction(&self) -> Result<Direction> {
            unavailable()
        }
    }

    impl Settings {
        pub fn new() -> Result<Self> {
            unavailable()
        }
        pub fn set_direction(&mut self, _direction: Direction) -> Result<&mut Self> {
            unavailable()
        }
        pub fn set_output_value(&mut self, _value: Value) -> Result<&mut Self> {
            unavailable()
        }
        pub fn set_edge_detection(&mut self, _edge: Option<Edge>) -> Result<&mut Self> {
            unavailable()
        }
    }

    impl Config {
        pub fn new() -> Result<Self> {
            unavailable()
        }
        pub fn add_line_settings(&mut self, _offsets: &[u32], _settings: Settings) -> Result<&mut Self> {
            unavailable()
        }
    }
}

pub mod request {
    use super::{line, unavailable, Result};
    use std::time::Duration;

    pub struct Request;
    pub struct Config;
    pub struct Buffer;

    impl Request {
        pub fn reconfigure_lines(&mut self, _config: &line::Config) -> Result<&mut Self> {
            unavailable()
        }
        pub fn value(&self, _offset: u32) -> Result<line::Value> {
            unavailable()
        }
        pub fn set_value(&mut self, _offset: u32, _value: line::Value) -> Result<&mut Self> {
            unavailable()
        }
        pub fn wait_edge_events(&self, _timeout: Option<Duration>) -> Result<bool> {
            unavailable()
        }
        pub fn read_edge_events(&self, _buffer: &mut Buffer) -> Result<usize> {
            unavailable()
        }
    }

    impl Config {
        pub fn new() -> Result<Self> {
            unavailable()
        }
        pub fn set_consumer(&mut self, _consumer: &str) -> Result<&mut Self> {
            unavailable()
        }
    }

    impl Buffer {
        pub fn new(_capacity: usize) -> Result<Self> {
            unavailable()
        }
    }
}
